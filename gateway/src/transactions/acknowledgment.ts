import { qrModules, qrPdfOperators, qrSvg } from './receipt-qr';

/**
 * The printable acknowledgment a citizen takes home when a transaction is stored for later
 * (store-and-forward) or handled on paper: the provisional reference above all, in large type, and
 * a QR code holding the signed receipt (core/receipts) that any officer or agency can check. HTML
 * for the counter's browser, and a one-page PDF written by hand (PDF 1.4, Helvetica, no library;
 * the QR code drawn as filled squares).
 */
export interface AcknowledgmentFacts {
  provisionalRef: string;
  transactionId: string;
  serviceName: string;
  agencyName: string;
  centre: string | null;
  /** The centre's name, when the transaction came through a centre. */
  centreName: string | null;
  /** Masked: the acknowledgment may be left on a counter. */
  idNumberMasked: string;
  receivedAt: Date;
  instructions: string | null;
  /** The signed receipt (`KR1.…`) for the QR code; null when no receipt key is configured. */
  receipt: string | null;
  /** How to follow the application from any phone. */
  followUp: { ussdCode: string; smsNumber: string | null };
}

const NAIROBI = { timeZone: 'Africa/Nairobi', dateStyle: 'long', timeStyle: 'short' } as const;

function lines(facts: AcknowledgmentFacts): Array<[string, string]> {
  return [
    ['Provisional reference', facts.provisionalRef],
    ['Service', facts.serviceName],
    ['Agency', facts.agencyName],
    ['Centre', facts.centre === null ? '-' : facts.centreName ? `${facts.centreName} (${facts.centre})` : facts.centre],
    ['National ID', facts.idNumberMasked],
    ['Received', `${facts.receivedAt.toLocaleString('en-KE', NAIROBI)} (EAT)`],
    ['Transaction', facts.transactionId],
  ];
}

const NOTE =
  'Your application has been recorded. The agency system is unavailable, so it will be submitted as soon as the agency is back; ' +
  'you will receive an SMS with the final reference. Keep this reference.';

/** What to dial or text to follow the application (the USSD menu's entry and the SMS keyword, core/ussd). */
function followUp(facts: AcknowledgmentFacts): string {
  const sms = `SMS STATUS ${facts.provisionalRef} to ${facts.followUp.smsNumber ?? 'the Huduma SMS number'}`;
  return `Follow your application: dial ${facts.followUp.ussdCode} and choose "Where is my application?", or ${sms}.`;
}

const CHECK = 'Officers and agencies: scan the code, or paste the text under it, at /verify to check that this receipt is genuine.';

export function acknowledgmentHtml(facts: AcknowledgmentFacts): string {
  const rows = lines(facts)
    .map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('\n      ');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Acknowledgment ${escapeHtml(facts.provisionalRef)}</title>
<style>body{font-family:sans-serif;max-width:40em;margin:2em auto}h1{font-size:1.3em}.ref{font-size:3em;font-weight:bold;font-family:monospace;letter-spacing:.1em;margin:.3em 0}th{text-align:left;padding-right:1em}
.receipt{display:flex;gap:1em;align-items:flex-start}.code{font-family:monospace;font-size:.6em;word-break:break-all;max-width:30em}</style></head>
<body>
  <h1>Acknowledgment of application${facts.centreName ? ` &middot; Huduma Centre ${escapeHtml(facts.centreName)}` : ''}</h1>
  <p class="ref" id="reference">${escapeHtml(facts.provisionalRef)}</p>
  <table>
      ${rows}
  </table>
  <p>${escapeHtml(NOTE)}</p>
  <p><strong>${escapeHtml(followUp(facts))}</strong></p>
  ${facts.instructions ? `<p><strong>For the officer:</strong> ${escapeHtml(facts.instructions)}</p>` : ''}
  ${facts.receipt ? `<div class="receipt" id="receipt">${qrSvg(qrModules(facts.receipt), 220)}<div><p>${escapeHtml(CHECK)}</p><p class="code" id="receipt-code">${escapeHtml(facts.receipt)}</p></div></div>` : ''}
</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A one-page A4 PDF with the same facts. Text outside printable ASCII is replaced by `?`. */
export function acknowledgmentPdf(facts: AcknowledgmentFacts): Buffer {
  const title = facts.centreName ? `Acknowledgment of application - Huduma Centre ${facts.centreName}` : 'Acknowledgment of application';
  const text: Array<[number, number, string]> = [[16, 780, title], [40, 730, facts.provisionalRef]];
  let y = 690;
  for (const [label, value] of lines(facts)) {
    text.push([11, y, `${label}: ${value}`]);
    y -= 18;
  }
  for (const paragraph of [NOTE, followUp(facts)]) {
    y -= 6;
    for (const line of wrap(paragraph, 90)) {
      y -= 14;
      text.push([10, y, line]);
    }
  }
  let qr = '';
  if (facts.receipt) {
    qr = qrPdfOperators(qrModules(facts.receipt), 56, y - 200, 180);
    y -= 214;
    for (const line of [...wrap(CHECK, 100), ...chunks(facts.receipt, 100)]) {
      text.push([8, y, line]);
      y -= 11;
    }
  }
  const content = [...text.map(([size, top, line]) => `BT /F1 ${size} Tf 56 ${top} Td (${pdfString(line)}) Tj ET`), qr].filter(Boolean).join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf, 'latin1'));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf, 'latin1');
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

function pdfString(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').replace(/[\\()]/g, (c) => `\\${c}`);
}

function chunks(text: string, width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += width) out.push(text.slice(i, i + width));
  return out;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
