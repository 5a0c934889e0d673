// JSON over fetch against the gateway (contract: errors are {"error":{"code","message","field?"}}).
// Every failure becomes an ApiError carrying the HTTP status and the gateway's error code.

export class ApiError extends Error {
  constructor(status, code, message, retryAfterMs) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}

/** `authorization()` returns the Authorization header value to send (or undefined). */
export function createApi({ authorization = () => undefined } = {}) {
  return async function request(method, path, body) {
    const headers = { accept: 'application/json' };
    const auth = authorization();
    if (auth) headers.authorization = auth;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
    } catch (err) {
      throw new ApiError(0, 'NETWORK', `network error: ${err instanceof Error ? err.message : String(err)}`);
    }
    const text = await res.text();
    let json;
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      json = {};
    }
    if (!res.ok) {
      const retry = Number(res.headers.get('retry-after'));
      const e = json && json.error ? json.error : {};
      throw new ApiError(res.status, e.code || `HTTP_${res.status}`, e.message || res.statusText, Number.isFinite(retry) && retry > 0 ? retry * 1000 : undefined);
    }
    return json;
  };
}
