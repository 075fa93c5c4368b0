/**
 * The page an officer or an agency clerk opens to check a receipt: paste the text printed under the
 * QR code (or what a scanner typed), or arrive from a QR link with `?r=`. Plain HTML and a few lines
 * of script calling GET /v1/receipts/verify; every value shown goes in through textContent.
 */
export function verifyPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Check a receipt</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; }
  textarea { width: 100%; height: 6rem; font-family: monospace; }
  #verdict { font-size: 1.6rem; font-weight: bold; margin: 1rem 0 .5rem; }
  .genuine { color: #0a6b2d; } .forged { color: #b00020; }
  th { text-align: left; padding-right: 1rem; font-weight: 600; }
</style>
</head>
<body>
<h1>Check a receipt</h1>
<form id="form">
  <label for="receipt">The text under the receipt's QR code (scan it or type it):</label>
  <textarea id="receipt" name="receipt" autocomplete="off" spellcheck="false"></textarea>
  <button type="submit">Check</button>
</form>
<p id="verdict" role="status"></p>
<table><tbody id="facts"></tbody></table>
<script>
(() => {
  const REASONS = { malformed: 'This is not the text of a Kiungo receipt, or it was altered.', 'unknown-key': 'Signed by a key Kiungo never published: a forgery.', 'bad-signature': 'The receipt was altered or forged.' };
  const STATUS = { received: 'Received', 'waiting-for-agency': 'Waiting for the agency', submitted: 'Submitted to the agency', completed: 'Completed', 'ready-for-collection': 'Ready for collection', rejected: 'Rejected', cancelled: 'Cancelled', 'under-review': 'Under review' };
  const input = document.getElementById('receipt');
  const verdict = document.getElementById('verdict');
  const facts = document.getElementById('facts');
  const row = (label, value) => {
    if (value === null || value === undefined || value === '') return;
    const tr = facts.insertRow();
    const th = document.createElement('th');
    th.textContent = label;
    tr.appendChild(th);
    tr.insertCell().textContent = value;
  };
  async function check() {
    const text = input.value.replace(/\\s+/g, '');
    if (!text) return;
    facts.textContent = '';
    verdict.className = '';
    verdict.textContent = 'Checking…';
    let body;
    try {
      const response = await fetch('/v1/receipts/verify?receipt=' + encodeURIComponent(text));
      body = await response.json();
      if (!response.ok) throw new Error(body.title || response.statusText);
    } catch (error) {
      verdict.textContent = 'Could not check: ' + error.message;
      return;
    }
    if (!body.genuine) {
      verdict.className = 'forged';
      verdict.textContent = 'NOT GENUINE';
      row('Why', REASONS[body.reason] || body.reason);
      return;
    }
    verdict.className = 'genuine';
    verdict.textContent = 'GENUINE';
    const r = body.receipt;
    row('Reference', r.provisionalReference);
    row('Service', r.service);
    row('Centre', r.centre);
    row('Received', new Date(r.receivedAt).toLocaleString('en-KE', { timeZone: 'Africa/Nairobi' }) + ' (EAT)');
    row('National ID', r.idNumberMasked);
    row('Transaction', r.transactionId);
    const a = body.application;
    if (!a) { row('Application', 'no longer on record'); return; }
    row('Status', STATUS[a.status] || a.status);
    row('Agency reference', a.agencyReference);
    row('Reason', a.reason);
    row('Collect from', a.collectionDate);
    row('Last change', new Date(a.updatedAt).toLocaleString('en-KE', { timeZone: 'Africa/Nairobi' }) + ' (EAT)');
  }
  document.getElementById('form').addEventListener('submit', (event) => { event.preventDefault(); void check(); });
  const fromLink = new URLSearchParams(location.search).get('r');
  if (fromLink) { input.value = fromLink; void check(); }
})();
</script>
</body>
</html>
`;
}
