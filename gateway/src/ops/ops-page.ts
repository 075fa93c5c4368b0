/**
 * The operations room's page (/ops): plain HTML and a script, no build step, no assets. It signs
 * in with a bearer token (pasted, or the development sign-in in embedded mode), kept in the tab's
 * sessionStorage only; follows GET /v1/ops/stream with fetch (an EventSource cannot send the
 * token); and acts through the API's own routes (mode, replay pause/resume, bulk replay), so
 * authorization and audit stay where they are. Everything from the server goes in through
 * textContent. Readable on a laptop; larger type on a wall screen (≥ 1800 px wide).
 */
export function opsPage(options: { devSignIn: boolean; queueBoard: boolean }): string {
  const config = JSON.stringify({ devSignIn: options.devSignIn, queueBoard: options.queueBoard });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kiungo operations</title>
<style>
  :root { --ok: #1e7d4f; --warn: #b7791f; --bad: #c53030; --muted: #5a6472; font-size: 15px; }
  @media (min-width: 1800px) { :root { font-size: 22px; } }
  body { margin: 0; font-family: system-ui, sans-serif; background: #f4f6f8; color: #14202b; }
  header { display: flex; gap: 1rem; align-items: center; justify-content: space-between; padding: .6rem 1.2rem; background: #14202b; color: #fff; }
  header h1 { font-size: 1.3rem; margin: 0; font-weight: 600; }
  header a { color: #9fd3ff; margin-left: auto; }
  #status { font-size: .9rem; opacity: .8; }
  main { padding: 1rem 1.2rem; display: grid; gap: 1.2rem; }
  section { background: #fff; border-radius: 6px; padding: .8rem 1rem; box-shadow: 0 1px 2px #0002; overflow-x: auto; }
  h2 { font-size: 1.05rem; margin: 0 0 .6rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #e3e7eb; vertical-align: top; white-space: nowrap; }
  th { font-weight: 600; color: var(--muted); font-size: .85rem; }
  .badge { display: inline-block; padding: .1rem .5rem; border-radius: 999px; font-size: .85rem; font-weight: 600; color: #fff; background: var(--muted); }
  .badge.auto, .badge.closed, .badge.resolved { background: var(--ok); }
  .badge.manual, .badge.maintenance, .badge.half_open { background: var(--warn); }
  .badge.degraded, .badge.open, .badge.firing { background: var(--bad); }
  .small { font-size: .8rem; color: var(--muted); }
  input, select, button { font: inherit; padding: .2rem .4rem; }
  button { cursor: pointer; }
  #signin { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; }
  #signin input { min-width: 24rem; }
  #message { min-height: 1.2rem; }
  #message.error { color: var(--bad); }
  .actions { display: flex; gap: .3rem; flex-wrap: wrap; }
  .reason { width: 14rem; }
</style>
</head>
<body>
<header><h1>Kiungo operations room</h1><a id="queues" href="/ops/queues" hidden>Queue board</a><span id="status">signed out</span></header>
<main>
  <section id="signin-section">
    <h2>Sign in</h2>
    <form id="signin">
      <input id="token" type="password" autocomplete="off" placeholder="Bearer token (operator or manager)" aria-label="Bearer token">
      <button type="submit">Sign in</button>
      <button type="button" id="dev-signin" hidden>Development sign-in</button>
      <button type="button" id="signout" hidden>Sign out</button>
    </form>
  </section>
  <div id="message" role="status"></div>
  <section><h2>Alerts</h2><table><thead><tr><th>State</th><th>Rule</th><th>Subject</th><th>Detail</th><th>Fired</th><th>Resolved</th></tr></thead><tbody id="alerts"></tbody></table></section>
  <section><h2>Agencies</h2>
    <table><thead><tr><th>Agency</th><th>Mode</th><th>Breaker</th><th>Calls (5 min)</th><th>Retry queue</th><th>Backlog</th><th>Replay</th><th>Parked</th><th>Actions</th></tr></thead>
    <tbody id="agencies"></tbody></table>
  </section>
  <section><h2>Centres</h2>
    <table><thead><tr><th>Centre</th><th>Waiting</th><th>Issued today</th><th>Served</th><th>No-shows</th><th>Mean wait</th><th>Satisfaction</th></tr></thead>
    <tbody id="centres"></tbody></table>
  </section>
  <section><h2>Workers</h2><table><thead><tr><th>Instance</th><th>Last heartbeat</th></tr></thead><tbody id="workers"></tbody></table></section>
</main>
<script>
const config = ${config};
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem('kiungo-ops-token') || '';
let stream = null;
const drafts = new Map();

function cell(content, className) {
  const td = document.createElement('td');
  if (className) td.className = className;
  if (content instanceof Node) td.appendChild(content); else td.textContent = content == null ? '-' : String(content);
  return td;
}
function badge(text) { const s = document.createElement('span'); s.className = 'badge ' + text; s.textContent = text.replace('_', '-'); return s; }
function lines(...texts) { const div = document.createElement('div'); for (const t of texts) { const d = document.createElement('div'); d.textContent = t; div.appendChild(d); } return div; }
function button(text, onClick) { const b = document.createElement('button'); b.type = 'button'; b.textContent = text; b.addEventListener('click', onClick); return b; }
function time(iso) { return iso ? new Date(iso).toLocaleTimeString('en-KE', { timeZone: 'Africa/Nairobi' }) : '-'; }
function seconds(s) { return s == null ? '-' : s < 90 ? Math.round(s) + ' s' : Math.round(s / 60) + ' min'; }
function say(text, error) { const m = $('message'); m.textContent = text; m.className = error ? 'error' : ''; }

async function api(method, path, body, headers) {
  const response = await fetch(path, { method, headers: { authorization: 'Bearer ' + token, ...(body ? { 'content-type': 'application/json' } : {}), ...(headers || {}) }, body: body ? JSON.stringify(body) : undefined });
  const answer = response.headers.get('content-type')?.includes('json') ? await response.json() : null;
  if (!response.ok) throw new Error((answer && (answer.detail || answer.title)) || ('HTTP ' + response.status));
  return answer;
}
async function act(label, method, path, body, headers) {
  if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
  try { await api(method, path, body, headers); say(label + ': done'); } catch (error) { say(label + ': ' + error.message, true); }
}

function agencyRow(a) {
  const tr = document.createElement('tr');
  tr.dataset.agency = a.code;
  tr.appendChild(cell(lines(a.name, a.code + ' · ' + a.kind)));
  const mode = lines(); mode.appendChild(badge(a.mode)); if (a.modeReason) { const r = document.createElement('div'); r.className = 'small'; r.textContent = a.modeReason; mode.appendChild(r); }
  tr.appendChild(cell(mode, 'mode'));
  const breaker = lines(); breaker.appendChild(badge(a.breaker)); if (a.breakerOpenSince) { const r = document.createElement('div'); r.className = 'small'; r.textContent = 'since ' + time(a.breakerOpenSince); breaker.appendChild(r); }
  tr.appendChild(cell(breaker, 'breaker'));
  const rate = a.calls.errorRate == null ? '-' : Math.round(a.calls.errorRate * 100) + ' % errors';
  tr.appendChild(cell(lines(a.calls.calls + ' calls, ' + rate, a.calls.meanMs == null ? '' : 'mean ' + a.calls.meanMs + ' ms, max ' + a.calls.maxMs + ' ms'), 'calls'));
  tr.appendChild(cell(a.retryQueue.waiting + a.retryQueue.delayed + a.retryQueue.active + ' (' + a.retryQueue.delayed + ' delayed)', 'queue'));
  tr.appendChild(cell(String(a.backlog), 'backlog'));
  tr.appendChild(cell(lines((a.replay.paused ? 'paused' : 'running') + ', ' + a.replay.replayed + ' replayed', a.replay.etaSeconds == null ? '' : 'about ' + seconds(a.replay.etaSeconds) + ' left'), 'replay'));
  tr.appendChild(cell(String(a.parked), 'parked'));
  const actions = document.createElement('div'); actions.className = 'actions';
  const draft = drafts.get(a.code) || { mode: a.mode === 'manual' ? 'auto' : 'manual', reason: '' };
  const select = document.createElement('select'); select.setAttribute('aria-label', 'new mode of ' + a.code);
  for (const m of ['auto', 'manual']) { const o = document.createElement('option'); o.value = m; o.textContent = m; select.appendChild(o); }
  select.value = draft.mode;
  const reason = document.createElement('input'); reason.className = 'reason'; reason.placeholder = 'reason (required)'; reason.setAttribute('aria-label', 'reason for ' + a.code); reason.value = draft.reason;
  const keep = () => drafts.set(a.code, { mode: select.value, reason: reason.value });
  select.addEventListener('change', keep); reason.addEventListener('input', keep);
  actions.append(select, reason, button('Switch mode', async () => {
    if (!reason.value.trim()) { say('A reason is required to switch ' + a.code, true); return; }
    await act('Switch ' + a.code + ' to ' + select.value, 'PUT', '/v1/agencies/' + encodeURIComponent(a.code) + '/mode', { mode: select.value, reason: reason.value.trim() });
    drafts.delete(a.code);
  }));
  actions.append(a.replay.paused
    ? button('Resume replay', () => act('Resume replay of ' + a.code, 'POST', '/v1/agencies/' + encodeURIComponent(a.code) + '/replay/resume'))
    : button('Pause replay', () => act('Pause replay of ' + a.code, 'POST', '/v1/agencies/' + encodeURIComponent(a.code) + '/replay/pause')));
  // A bulk replay task (POST /v1/replay-tasks): the worker puts the agency's parked transactions back, audited.
  if (a.parked > 0) actions.append(button('Replay parked', () => act('Replay parked of ' + a.code, 'POST', '/v1/replay-tasks', { filters: { agency: a.code } }, { 'idempotency-key': 'ops-' + a.code + '-' + Date.now() + '-' + Math.random().toString(36).slice(2) })));
  tr.appendChild(cell(actions, 'actions-cell'));
  return tr;
}

function render(o) {
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest('#agencies');
  if (!focused) $('agencies').replaceChildren(...o.agencies.map(agencyRow));
  $('alerts').replaceChildren(...(o.alerts.length ? o.alerts.map((a) => {
    const tr = document.createElement('tr'); tr.dataset.alert = a.rule + ':' + a.subject;
    tr.append(cell(badge(a.state)), cell(a.rule), cell(a.subject), cell(a.detail), cell(time(a.firedAt)), cell(time(a.resolvedAt)));
    return tr;
  }) : [(() => { const tr = document.createElement('tr'); tr.appendChild(cell('No alert in the last hour')); return tr; })()]));
  $('centres').replaceChildren(...o.centres.map((c) => {
    const tr = document.createElement('tr'); tr.dataset.centre = c.code;
    const waiting = Object.entries(c.waiting).map(([s, n]) => s + ': ' + n);
    tr.append(cell(lines(c.name, c.code)), cell(waiting.length ? lines(...waiting) : 'nobody', 'waiting'), cell(c.today.ticketsIssued), cell(c.today.served), cell(c.today.noShows),
      cell(seconds(c.today.waitingMeanSeconds)), cell(c.today.satisfaction == null ? '-' : c.today.satisfaction.toFixed(1) + ' / 5'));
    return tr;
  }));
  $('workers').replaceChildren(...(o.workers.length ? o.workers.map((w) => { const tr = document.createElement('tr'); tr.append(cell(w.instance), cell(time(w.beatAt) + ' (' + seconds(w.silentSeconds) + ' ago)')); return tr; })
    : [(() => { const tr = document.createElement('tr'); tr.appendChild(cell('No worker has reported')); return tr; })()]));
  $('status').textContent = 'live · ' + time(o.generatedAt);
}

async function follow() {
  if (!token) return;
  const controller = new AbortController();
  stream = controller;
  let response;
  try { response = await fetch('/v1/ops/stream', { headers: { authorization: 'Bearer ' + token, accept: 'text/event-stream' }, signal: controller.signal }); }
  catch { return retry(controller); }
  if (response.status === 401 || response.status === 403) { say(response.status === 401 ? 'The token was refused: sign in again.' : 'This token may not see the operations room (operator, manager or admin).', true); signOut(); return; }
  if (!response.ok || !response.body) return retry(controller);
  $('signin-section').hidden = true; $('signout').hidden = false;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\\n\\n')) >= 0) {
        const block = buffer.slice(0, end); buffer = buffer.slice(end + 2);
        let event = 'message'; const data = [];
        for (const line of block.split('\\n')) { if (line.startsWith('event: ')) event = line.slice(7); else if (line.startsWith('data: ')) data.push(line.slice(6)); }
        if (event === 'overview' && data.length) render(JSON.parse(data.join('\\n')));
      }
    }
  } catch { /* aborted or dropped */ }
  retry(controller);
}
function retry(controller) {
  if (stream !== controller || controller.signal.aborted) return;
  $('status').textContent = 'reconnecting…';
  setTimeout(() => { if (stream === controller) follow(); }, 3000);
}
async function boardSession() {
  if (!config.queueBoard) return;
  const response = await fetch('/ops/session', { method: 'POST', headers: { authorization: 'Bearer ' + token } }).catch(() => null);
  $('queues').hidden = !(response && response.ok);
}
function signIn(value) { token = value.trim(); if (!token) return; sessionStorage.setItem('kiungo-ops-token', token); say(''); follow(); boardSession(); }
function signOut() { fetch('/ops/sign-out', { method: 'POST' }).catch(() => null); $('queues').hidden = true; token = ''; sessionStorage.removeItem('kiungo-ops-token'); if (stream) stream.abort(); stream = null; $('signin-section').hidden = false; $('signout').hidden = true; $('status').textContent = 'signed out'; }

$('signin').addEventListener('submit', (e) => { e.preventDefault(); signIn($('token').value); $('token').value = ''; });
$('signout').addEventListener('click', signOut);
if (config.devSignIn) {
  $('dev-signin').hidden = false;
  $('dev-signin').addEventListener('click', async () => {
    const response = await fetch('/ops/dev-sign-in', { method: 'POST' });
    if (!response.ok) { say('Development sign-in is off', true); return; }
    signIn((await response.json()).token);
  });
}
if (token) { follow(); boardSession(); }
</script>
</body>
</html>
`;
}
