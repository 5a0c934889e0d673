// The operator dashboard: asks for the admin token once (kept in sessionStorage), then renders
// GET /api/admin/dashboard every second; dead letters can be replayed from here.
import { ApiError, createApi } from '/static/common/api.js';

const REFRESH_MS = 1000;
const TOKEN_KEY = 'shop.adminToken';
const $ = id => document.getElementById(id);

let token = sessionStorage.getItem(TOKEN_KEY) || '';
let timer;
const api = createApi({ authorization: () => (token ? `Bearer ${token}` : undefined) });

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function fillTable(id, rows, columns, emptyText) {
  const body = $(id).querySelector('tbody');
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    tr.className = 'empty';
    const td = cell(emptyText);
    td.colSpan = columns;
    tr.append(td);
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(...rows);
}

const num = n => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US'));
const ms = n => (n === null || n === undefined ? '–' : n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);

function badge(text, kind) {
  const span = document.createElement('span');
  span.className = `badge ${kind}`;
  span.textContent = text;
  return span;
}

function render(s) {
  $('updated-at').textContent = new Date(s.generatedAt).toLocaleTimeString();
  $('updated-at').dateTime = s.generatedAt;

  const verdict = $('ledger-verdict');
  verdict.dataset.verdict = s.ledger.verdict;
  verdict.dataset.source = s.ledger.source;
  verdict.title = s.ledger.checkedAt ? `checked ${new Date(s.ledger.checkedAt).toLocaleTimeString()} (${s.ledger.source})` : 'not checked yet';
  verdict.className = `badge ${{ CLEAN: 'ok', BREACH: 'bad' }[s.ledger.verdict] ?? ''}`;
  const breaches = Object.entries(s.ledger.breaches);
  const found = breaches.reduce((n, [, v]) => n + v, 0);
  verdict.textContent = `${s.ledger.verdict.toLowerCase()}${s.ledger.source === 'stock-check' ? ' (stock check)' : ''}${found ? ` · ${found}` : ''}`;
  const detail = breaches.length ? `: ${breaches.map(([k, v]) => `${k} ${v}`).join(', ')}` : '';
  $('ledger-detail').textContent =
    s.ledger.source === 'none' ? 'Ledger: no verdict yet (no warmed item, no ledger job).' : `Ledger ${s.ledger.source === 'ledger' ? 'job' : 'stock check'}, ${verdict.title}${detail}`;

  $('accepted-rate').textContent = num(s.orders.acceptedPerSec);
  $('refused-rate').textContent = num(s.orders.refusedPerSec);
  $('accepted-total').textContent = num(s.orders.acceptedTotal);
  $('refused-total').textContent = num(s.orders.refusedTotal);
  $('stream-backlog').textContent = num(s.streams.backlogTotal);
  $('dead-entries').textContent = num(s.streams.deadEntries);
  $('forwarder-lag').textContent = ms(s.rocketmq.forwarderLagMs);
  $('dlq-count').textContent = num(s.deadLetters.open);

  fillTable(
    'stock-table',
    s.items.map(i => {
      const tr = document.createElement('tr');
      tr.dataset.productId = i.productId;
      if (!i.inSync) tr.className = 'drift';
      const synced = document.createElement('td');
      synced.append(i.warmed ? badge(i.inSync ? 'yes' : 'drift', i.inSync ? 'ok' : 'bad') : badge('not warmed', ''));
      tr.append(
        cell(`${i.name} (${i.productId})`),
        cell(i.state),
        cell(num(i.redisStock), 'num'),
        cell(num(i.mysqlStock), 'num'),
        cell(num(i.pendingDelta), 'num'),
        synced,
      );
      tr.children[2].dataset.col = 'redis';
      tr.children[3].dataset.col = 'mysql';
      return tr;
    }),
    6,
    'no flash-sale items',
  );

  fillTable(
    'consumer-table',
    s.rocketmq.consumers.map(c => {
      const tr = document.createElement('tr');
      tr.append(cell(c.topic), cell(c.group), cell(ms(c.lagMs), 'num'));
      return tr;
    }),
    3,
    'no consumer has reported yet',
  );

  fillTable(
    'stream-table',
    s.streams.groups.map(g => {
      const tr = document.createElement('tr');
      tr.append(cell(g.stream), cell(g.group), cell(num(g.lag), 'num'), cell(num(g.pending), 'num'));
      return tr;
    }),
    4,
    'no stream worker has reported yet',
  );

  const breakers = s.breakers.map(b => {
    const li = document.createElement('li');
    li.dataset.name = b.name;
    li.append(badge(`${b.name}: ${b.state}`, { closed: 'ok', halfOpen: 'warn', open: 'bad' }[b.state] ?? ''));
    return li;
  });
  $('breakers').replaceChildren(...(breakers.length ? breakers : [Object.assign(document.createElement('li'), { textContent: 'no breaker yet' })]));

  const refusals = Object.entries(s.orders.refusedByResult).map(([reason, n]) => {
    const li = document.createElement('li');
    li.append(badge(`${reason}: ${num(n)}`, 'info'));
    return li;
  });
  $('refusals').replaceChildren(...(refusals.length ? refusals : [Object.assign(document.createElement('li'), { textContent: 'none' })]));

  fillTable(
    'dead-letter-table',
    s.deadLetters.items.map(d => {
      const tr = document.createElement('tr');
      const action = document.createElement('td');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'small';
      button.textContent = 'Replay';
      button.dataset.testid = `replay-${d.id}`;
      button.setAttribute('aria-label', `Replay dead letter ${d.id}`);
      button.addEventListener('click', () => void replay(d.id, button));
      action.append(button);
      tr.append(cell(d.id), cell(`${d.topic} / ${d.consumerGroup}`), cell(d.messageKey), cell(d.reason), cell(String(d.attempts), 'num'),
        cell(d.deadAt ? new Date(d.deadAt).toLocaleString() : '–'), action);
      return tr;
    }),
    7,
    'no open dead letters',
  );

  const problems = $('problems');
  problems.replaceChildren(...s.problems.map(p => Object.assign(document.createElement('li'), { textContent: p })));
  problems.hidden = s.problems.length === 0;
}

async function replay(id, button) {
  button.disabled = true;
  try {
    const r = await api('POST', `/api/admin/dead-letters/${encodeURIComponent(id)}/replay`, {});
    $('replay-result').textContent = r.alreadyReplayed ? `Dead letter ${id} was already replayed.` : `Dead letter ${id} replayed as message ${r.newMessageId}.`;
  } catch (err) {
    $('replay-result').textContent = `Replay of ${id} failed: ${err.message}`;
    button.disabled = false;
  }
}

function showLogin(message) {
  clearTimeout(timer);
  $('board').hidden = true;
  $('sign-out').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  $('login-error').hidden = !message;
  $('admin-token').focus();
}

async function refresh() {
  try {
    render(await api('GET', '/api/admin/dashboard'));
    $('board').hidden = false;
    $('login').hidden = true;
    $('sign-out').hidden = false;
    document.body.dataset.ready = 'true';
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      token = '';
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin(err.status === 403 ? 'Admin routes are disabled on this gateway (no ADMIN_TOKEN).' : 'That token was not accepted.');
      return;
    }
    const problems = $('problems');
    problems.replaceChildren(Object.assign(document.createElement('li'), { textContent: `dashboard unavailable: ${err.message}` }));
    problems.hidden = false;
  }
  timer = setTimeout(() => void refresh(), REFRESH_MS);
}

$('login').addEventListener('submit', event => {
  event.preventDefault();
  token = $('admin-token').value.trim();
  sessionStorage.setItem(TOKEN_KEY, token);
  void refresh();
});
$('sign-out').addEventListener('click', () => {
  token = '';
  sessionStorage.removeItem(TOKEN_KEY);
  showLogin('');
});

if (token) void refresh();
else showLogin('');
