/**
 * The hall screen: the last tickets called (newest large, with a chime-free flash) and how many
 * wait per service. Plain HTML and a few lines of script on EventSource; no build step, no assets.
 * The centre's code and name go in through JSON.stringify and textContent only.
 */
export function boardPage(centreCode: string, centreName: string): string {
  const config = JSON.stringify({ code: centreCode, name: centreName }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Queue board</title>
<style>
  body { margin: 0; font-family: system-ui, sans-serif; background: #0b3d2e; color: #fff; }
  header { padding: 1rem 2rem; font-size: 2rem; background: #06281e; display: flex; justify-content: space-between; }
  main { display: grid; grid-template-columns: 2fr 1fr; gap: 2rem; padding: 2rem; }
  h2 { margin: 0 0 1rem; font-weight: 400; opacity: .8; }
  table { width: 100%; border-collapse: collapse; font-size: 2.4rem; }
  td { padding: .4rem .6rem; border-bottom: 1px solid #1d5a46; }
  tr.fresh td { background: #f2c94c; color: #000; }
  #status { font-size: 1rem; opacity: .7; }
  #notices { margin: 0; padding: 0; list-style: none; }
  #notices li { background: #b3261e; color: #fff; font-size: 1.6rem; padding: .6rem 2rem; border-bottom: 2px solid #0b3d2e; }
  #notices li span { display: block; }
  #notices li span + span { font-size: 1.3rem; opacity: .9; font-style: italic; }
</style>
</head>
<body>
<header><span id="name"></span><span id="status">connecting…</span></header>
<ul id="notices" aria-live="polite"></ul>
<main>
  <section><h2>Now serving</h2><table><tbody id="called"></tbody></table></section>
  <section><h2>Waiting</h2><table><tbody id="waiting"></tbody></table></section>
</main>
<script>
const centre = ${config};
document.getElementById('name').textContent = centre.name + ' (' + centre.code + ')';
let called = [];
function row(cells, fresh) {
  const tr = document.createElement('tr');
  if (fresh) tr.className = 'fresh';
  for (const text of cells) { const td = document.createElement('td'); td.textContent = text; tr.appendChild(td); }
  return tr;
}
function showCalled(freshNumber) {
  document.getElementById('called').replaceChildren(...called.slice(0, 8).map((c) => row([c.number, '→ counter ' + c.counter], c.number === freshNumber)));
}
function showWaiting(waiting) {
  document.getElementById('waiting').replaceChildren(...Object.entries(waiting).map(([service, n]) => row([service, String(n)])));
}
// One line per service whose agency is down, in the languages the page was opened with (?lang=en,sw; both by default).
const languages = (new URLSearchParams(location.search).get('lang') || 'en,sw').split(',').filter((l) => l === 'en' || l === 'sw');
function showNotices(notices) {
  document.getElementById('notices').replaceChildren(...notices.map((n) => {
    const li = document.createElement('li');
    li.dataset.service = n.service;
    for (const language of languages) { const span = document.createElement('span'); span.lang = language; span.textContent = n.text[language]; li.appendChild(span); }
    return li;
  }));
}
const source = new EventSource('/v1/centres/' + encodeURIComponent(centre.code) + '/board');
source.addEventListener('open', () => { document.getElementById('status').textContent = 'live'; });
source.addEventListener('error', () => { document.getElementById('status').textContent = 'reconnecting…'; });
source.addEventListener('snapshot', (e) => { const s = JSON.parse(e.data); called = s.called; showCalled(); showWaiting(s.waiting); showNotices(s.notices || []); });
source.addEventListener('notices', (e) => showNotices(JSON.parse(e.data).notices));
source.addEventListener('called', (e) => {
  const c = JSON.parse(e.data);
  called = [c, ...called.filter((x) => x.number !== c.number)];
  showCalled(c.number);
});
source.addEventListener('waiting', (e) => showWaiting(JSON.parse(e.data).waiting));
</script>
</body>
</html>
`;
}
