// Follows one order: a WebSocket pushes each change (GET /api/orders/:id/watch); when the socket drops it
// reconnects with exponential backoff and jitter, and until it is back the order is polled over HTTP so
// the page never stalls. Stops by itself once the order is final (the server then closes with 1000).

const FINAL = new Set(['SHIPPED', 'CANCELLED', 'SHIP_FAILED', 'FAILED']);
const POLL_MS = 2000;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 8000;

export function isFinalStatus(status) {
  return FINAL.has(status);
}

/**
 * opts: { orderId, token, fetchOrder(): Promise<OrderJson>, onUpdate(order), onConnection(state) }
 * connection states: "live" (socket open), "reconnecting" (socket down, polling), "done".
 */
export function watchOrder(opts) {
  let socket;
  let stopped = false;
  let attempts = 0;
  let reconnectTimer;
  let pollTimer;

  const deliver = order => {
    if (stopped || !order || order.orderId !== opts.orderId) return;
    opts.onUpdate(order);
    if (isFinalStatus(order.status)) stop();
  };

  function startPolling() {
    if (pollTimer || stopped) return;
    const tick = async () => {
      try {
        deliver(await opts.fetchOrder());
      } catch {
        /* keep polling; the socket or the next tick will catch up */
      }
    };
    void tick();
    pollTimer = setInterval(tick, POLL_MS);
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = undefined;
  }

  function connect() {
    if (stopped) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const url = `${scheme}://${location.host}/api/orders/${encodeURIComponent(opts.orderId)}/watch?session=${encodeURIComponent(opts.token)}`;
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      attempts = 0;
      stopPolling();
      opts.onConnection('live');
    };
    ws.onmessage = ev => {
      try {
        deliver(JSON.parse(ev.data));
      } catch {
        /* ignore a malformed frame */
      }
    };
    ws.onclose = ev => {
      if (socket !== ws || stopped) return;
      socket = undefined;
      // 1000 after a final state: the poll below delivers it if the last frame was missed.
      opts.onConnection('reconnecting');
      startPolling();
      if (ev.code === 4401) return; // session rejected: polling shows the error path, no reconnect loop
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempts) * (0.5 + Math.random() / 2);
      attempts += 1;
      reconnectTimer = setTimeout(connect, delay);
    };
  }

  function stop() {
    if (stopped) return;
    stopped = true;
    clearTimeout(reconnectTimer);
    stopPolling();
    if (socket && socket.readyState <= 1) socket.close(1000, 'done');
    socket = undefined;
    opts.onConnection('done');
  }

  connect();
  return {
    stop,
    /** Test/debug seam: drops the socket as a network failure would (reconnect path). */
    dropSocket() {
      if (socket) socket.close(4000, 'dropped by page');
    },
  };
}
