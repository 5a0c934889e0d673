// The flash-sale page: item + live stock (polled every second), countdown to the start in server time,
// buy → queued → outcome pushed over the socket → pay form → paid/shipped, or a clear refusal.
import { ApiError, createApi } from '/static/common/api.js';
import { clockOffset, formatDuration, formatMoney } from '/static/common/format.js';
import { ensureSession, forgetSession } from '/static/sale/session.js';
import { watchOrder } from '/static/sale/order-watch.js';

const STOCK_POLL_MS = 1000;
const PAY_RETRIES = 15;
const $ = id => document.getElementById(id);

let session;
const api = createApi({ authorization: () => (session ? `Bearer ${session.token}` : undefined) });
let offsetMs = 0;
let item;
let order; // latest OrderJson
let watcher;
let busy = false;

const now = () => Date.now() + offsetMs;

const REFUSALS = {
  SOLD_OUT: ['sold-out', 'Sold out — every unit is taken.'],
  LIMIT_EXCEEDED: ['limit', 'Limit reached — you already bought the most allowed for this item.'],
  DUPLICATE: ['refused', 'This purchase was already made.'],
  NOT_STARTED: ['refused', 'The sale has not started yet.'],
  ENDED: ['refused', 'The sale has ended.'],
  UNPAID_ORDER_EXISTS: ['refused', 'You already have an unpaid order for this item — pay it first.'],
  BLOCKED: ['refused', 'Purchases are blocked for this account.'],
  INVALID_TOKEN: ['refused', 'Your purchase token expired — please try again.'],
  RATE_LIMITED: ['refused', 'Too many requests — wait a moment and try again.'],
  RESOURCE_EXHAUSTED: ['refused', 'Too many requests — wait a moment and try again.'],
};

const STATUS_VIEW = {
  PENDING_PAYMENT: ['accepted', 'Accepted! Your unit is reserved — pay within the window below.'],
  PAYING: ['paying', 'Payment in progress…'],
  PAID: ['paid', 'Paid — thank you! Your order is being shipped.'],
  SHIPPED: ['shipped', 'Shipped — it is on its way.'],
  SHIP_FAILED: ['failed', 'Paid, but shipping failed — support will contact you.'],
  CANCELLED: ['cancelled', 'Cancelled'],
  FAILED: ['failed', 'The order could not be created'],
};

function setStatus(state, text) {
  const el = $('order-status');
  el.dataset.state = state;
  el.textContent = text;
  $('order').hidden = false;
}

function setConnection(state) {
  const el = $('connection');
  const view = {
    live: ['ok', 'live'],
    reconnecting: ['warn', 'reconnecting… (polling)'],
    done: ['', 'idle'],
  }[state] ?? ['', state];
  el.className = `badge ${view[0]}`;
  el.dataset.state = state;
  el.textContent = view[1];
}

function showError(message) {
  const el = $('page-error');
  el.textContent = message;
  el.hidden = message === '';
}

// ---- the item ----------------------------------------------------------------------------------

function placeholderPicture(name) {
  const first = (name || '').trim().charAt(0).toUpperCase();
  const letter = /^[A-Z0-9]$/.test(first) ? first : '?';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="220" height="220" viewBox="0 0 220 220">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#fb923c"/><stop offset="1" stop-color="#c2410c"/></linearGradient></defs>
<rect width="220" height="220" rx="18" fill="url(#g)"/>
<text x="110" y="140" font-family="system-ui,sans-serif" font-size="110" font-weight="700" text-anchor="middle" fill="#fff">${letter}</text></svg>`;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

function renderItem() {
  if (!item) return;
  $('item').hidden = false;
  $('item-name').textContent = item.name;
  $('item-price').textContent = formatMoney(item.price);
  const picture = $('item-picture');
  if (picture.dataset.for !== item.productId) {
    picture.dataset.for = item.productId;
    picture.alt = item.name;
    // Catalog pictures may not be deployed with the gateway: fall back to a drawn placeholder.
    picture.onerror = () => {
      picture.onerror = null;
      picture.src = placeholderPicture(item.name);
    };
    picture.src = item.picture || placeholderPicture(item.name);
  }
  $('remaining').textContent = String(item.remaining);
  $('limit').textContent = item.perUserLimit > 0 ? String(item.perUserLimit) : 'none';
  const badge = $('sale-state');
  const view = {
    ACTIVE: ['ok', 'On sale'],
    UPCOMING: ['info', 'Upcoming'],
    SOLD_OUT: ['bad', 'Sold out'],
    ENDED: ['', 'Ended'],
  }[item.state] ?? ['', item.state];
  badge.className = `badge ${view[0]}`;
  badge.textContent = view[1];
  badge.dataset.state = item.state;
  renderCountdown();
  renderBuyButton();
}

function renderCountdown() {
  if (!item) return;
  const starts = Date.parse(item.startsAt);
  const ends = item.endsAt ? Date.parse(item.endsAt) : NaN;
  if (Number.isFinite(starts) && starts > now()) {
    $('countdown-label').textContent = 'Sale starts in';
    $('countdown').textContent = formatDuration(starts - now());
  } else if (Number.isFinite(ends) && ends > now()) {
    $('countdown-label').textContent = 'Sale ends in';
    $('countdown').textContent = formatDuration(ends - now());
  } else {
    $('countdown-label').textContent = 'Sale';
    $('countdown').textContent = item.state === 'ENDED' ? 'ended' : 'open';
  }
}

function renderBuyButton() {
  const button = $('buy-button');
  const started = Date.parse(item.startsAt) <= now();
  const open = item.state === 'ACTIVE' || (item.state === 'UPCOMING' && started);
  button.disabled = busy || !open;
  if (busy) return;
  button.textContent = item.state === 'SOLD_OUT' ? 'Sold out' : started ? 'Buy now' : 'Not started yet';
}

async function refreshItem() {
  try {
    const next = await api('GET', `/api/sale-items/${encodeURIComponent(item.productId)}`);
    if (next.serverTime) offsetMs = clockOffset(next.serverTime);
    item = next;
    renderItem();
    showError('');
  } catch (err) {
    showError(`Could not refresh the item: ${err.message}`);
  }
}

async function pickItem() {
  const list = await api('GET', '/api/sale-items');
  if (list.serverTime) offsetMs = clockOffset(list.serverTime);
  const items = list.items || [];
  const wanted = new URLSearchParams(location.search).get('item');
  const chosen =
    items.find(i => i.productId === wanted) ??
    items.find(i => i.state === 'ACTIVE') ??
    items.find(i => i.state === 'UPCOMING') ??
    items[0];
  const nav = $('item-picker');
  nav.replaceChildren(
    ...items.map(i => {
      const a = document.createElement('a');
      a.href = `?item=${encodeURIComponent(i.productId)}`;
      a.textContent = i.name;
      if (chosen && i.productId === chosen.productId) a.setAttribute('aria-current', 'page');
      return a;
    }),
  );
  nav.hidden = items.length < 2;
  return chosen;
}

// ---- buying and paying -------------------------------------------------------------------------

function applyOrder(next) {
  if (!next || (order && order.orderId !== next.orderId)) return;
  // Frames may be replayed after a reconnect: never step back from a later version.
  if (order && next.version !== undefined && order.version !== undefined && Number(next.version) < Number(order.version)) return;
  order = { ...order, ...next };
  $('order-id').textContent = order.orderId;
  const view = STATUS_VIEW[order.status];
  if (view) {
    const reason = order.failureReason ? `: ${order.failureReason}` : '';
    setStatus(view[0], view[0] === 'cancelled' || view[0] === 'failed' ? `${view[1]}${reason}` : view[1]);
  } else {
    setStatus('queued', 'Queued… your order is being confirmed.');
  }
  const pending = order.status === 'PENDING_PAYMENT';
  $('pay-form').hidden = !pending;
  $('pay-within-row').hidden = !(pending && order.paymentDeadline);
  $('tracking-row').hidden = !order.trackingId;
  $('tracking-id').textContent = order.trackingId || '';
  renderPayCountdown();
}

function renderPayCountdown() {
  if (!order || !order.paymentDeadline || order.status !== 'PENDING_PAYMENT') return;
  $('pay-countdown').textContent = formatDuration(Date.parse(order.paymentDeadline) - now());
}

function follow(orderId) {
  watcher?.stop();
  watcher = watchOrder({
    orderId,
    token: session.token,
    fetchOrder: () => api('GET', `/api/orders/${encodeURIComponent(orderId)}`),
    onUpdate: applyOrder,
    onConnection: setConnection,
  });
  window.__sale = { dropSocket: () => watcher?.dropSocket() };
}

async function buy() {
  busy = true;
  const button = $('buy-button');
  button.disabled = true;
  button.textContent = 'Queued…';
  setStatus('queued', 'Queued… your request is in line.');
  $('pay-form').hidden = true;
  order = undefined;
  try {
    const { token } = await api('POST', `/api/sale-items/${encodeURIComponent(item.productId)}/token`);
    const accepted = await api('POST', `/api/sale-items/${encodeURIComponent(item.productId)}/buy`, { quantity: 1, token });
    order = { orderId: accepted.orderId, status: 'QUEUED', paymentDeadline: accepted.paymentDeadline };
    $('order-id').textContent = accepted.orderId;
    setStatus('queued', 'Queued… your order is being confirmed.');
    follow(accepted.orderId);
  } catch (err) {
    const [state, text] = (err instanceof ApiError && REFUSALS[err.code]) || ['error', `Something went wrong: ${err.message}`];
    setStatus(state, text);
    if (err instanceof ApiError && err.status === 401) forgetSession();
  } finally {
    busy = false;
    renderBuyButton();
  }
}

async function pay(event) {
  event.preventDefault();
  if (!order) return;
  const form = new FormData($('pay-form'));
  const creditCard = {
    number: String(form.get('number')).replace(/\s+/g, ''),
    cvv: Number(form.get('cvv')),
    expirationYear: Number(form.get('expirationYear')),
    expirationMonth: Number(form.get('expirationMonth')),
  };
  const button = $('pay-button');
  button.disabled = true;
  setStatus('paying', 'Paying…');
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        applyOrder(await api('POST', `/api/orders/${encodeURIComponent(order.orderId)}/pay`, { creditCard }));
        return;
      } catch (err) {
        // The order row may still be on its way to MySQL (404), or another payment holds the lock (409 ABORTED).
        const transient = err instanceof ApiError && (err.status === 404 || err.code === 'ABORTED' || err.status === 503);
        if (!transient || attempt >= PAY_RETRIES) throw err;
        setStatus('paying', 'Paying… (recording your order)');
        await new Promise(r => setTimeout(r, 1000));
      }
    }
  } catch (err) {
    setStatus('accepted', `Payment failed: ${err.message}`);
  } finally {
    button.disabled = false;
  }
}

// ---- start -------------------------------------------------------------------------------------

async function start() {
  try {
    session = await ensureSession(api);
    item = await pickItem();
    if (!item) {
      showError('No flash-sale item is on offer right now.');
      return;
    }
    renderItem();
  } catch (err) {
    showError(`The shop is unavailable: ${err.message}`);
    setConnection('done');
    return;
  }
  setConnection('done');
  $('buy-button').addEventListener('click', () => void buy());
  $('pay-form').addEventListener('submit', e => void pay(e));
  setInterval(() => void refreshItem(), STOCK_POLL_MS);
  setInterval(() => {
    renderCountdown();
    renderPayCountdown();
    if (!busy) renderBuyButton();
  }, 250);
  document.body.dataset.ready = 'true';
}

void start();
