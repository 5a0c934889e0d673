// Display helpers. Money arrives exact ({currencyCode, units: "12", nanos: 990000000}); it is shown
// without ever going through a float.

const SYMBOLS = { USD: '$', EUR: '€', GBP: '£', JPY: '¥' };

export function formatMoney(money) {
  if (!money) return '—';
  let units = BigInt(money.units ?? '0');
  let nanos = Number(money.nanos ?? 0);
  const negative = units < 0n || nanos < 0;
  if (units < 0n) units = -units;
  if (nanos < 0) nanos = -nanos;
  const cents = String(Math.floor(nanos / 10_000_000)).padStart(2, '0');
  const code = money.currencyCode || '';
  const symbol = SYMBOLS[code];
  const amount = `${units.toLocaleString('en-US')}.${cents}`;
  return `${negative ? '-' : ''}${symbol ? symbol + amount : `${amount} ${code}`}`;
}

/** 3725000 → "1:02:05", 65000 → "01:05"; negative → "00:00". */
export function formatDuration(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Server time minus local time, from a response's serverTime; countdowns add it to Date.now(). */
export function clockOffset(serverTime) {
  const t = Date.parse(serverTime);
  return Number.isFinite(t) ? t - Date.now() : 0;
}
