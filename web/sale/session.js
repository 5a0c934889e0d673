// The buyer's session: POST /api/session once per tab (the gateway mints the user id and sets the
// shop_session cookie); the token is also kept in sessionStorage because a WebSocket URL must carry it.
const KEY = 'shop.session';

export function loadSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    if (s && typeof s.token === 'string' && Date.parse(s.expiresAt) > Date.now() + 60_000) return s;
  } catch {
    /* a corrupt entry is replaced below */
  }
  return undefined;
}

export async function ensureSession(request) {
  const existing = loadSession();
  if (existing) return existing;
  const created = await request('POST', '/api/session');
  const session = { token: created.token, userId: created.userId, expiresAt: created.expiresAt };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

export function forgetSession() {
  sessionStorage.removeItem(KEY);
}
