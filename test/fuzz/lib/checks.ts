// What a status may not say: stack frames, file paths, driver/library names, SQL, JS error classes,
// host names. Text the request itself carried (echoed input) is not a leak.
import { codeName, DOCUMENTED_CODES, TRANSPORT_CODES } from '../documented-codes';
import type { FuzzCase } from './cases';
import type { CaseResult } from './runner';
import { status } from '@grpc/grpc-js';

const LEAK =
  /\bat [\w.<>]+ \(|\bat \/|\.(ts|js|lua):\d+|\/work\/|\/src\/|node_modules|\b(TypeError|RangeError|ReferenceError|SyntaxError|AggregateError)\b|Cannot read propert|is not a function|undefined is not|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|\bER_[A-Z_]{3,}|\bSQL\b|\bSELECT\b|INSERT INTO|\bUPDATE `|ReplyError|WRONGTYPE|NOSCRIPT|ioredis|mysql|mariadb|drizzle|127\.0\.0\.1|localhost|rocketmq|\.stack/i;

/** The servers' grpc.max_receive_message_length. */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/** Longest details we accept: a status is a sentence, not an echo of a 64 KiB field. */
export const MAX_DETAILS = 256;

export function leakIn(details: string, request: Buffer): string | undefined {
  const m = LEAK.exec(details);
  if (!m) return undefined;
  const sent = request.toString('utf8');
  return sent.includes(m[0]) ? undefined : m[0];
}

/** Undefined when the answer is acceptable for this case, else why not. */
export function judge(c: FuzzCase, r: CaseResult): string | undefined {
  const documented = DOCUMENTED_CODES[c.rpc];
  if (!documented) return `RPC ${c.rpc} has no row in test/fuzz/documented-codes.ts`;
  if (c.mode === 'normal' && r.code === status.DEADLINE_EXCEEDED && /remote_addr=/.test(r.details)) {
    return `no answer before the client's deadline: the handler hung (or the server is starved); client says "${r.details}"`;
  }
  // Deadline/cancel statuses of such calls are made by the CLIENT library (it names its own peer): not the server's words.
  const clientMade = c.mode !== 'normal' && (r.code === status.DEADLINE_EXCEEDED || r.code === status.CANCELLED);
  const leak = clientMade ? undefined : leakIn(r.details, c.bytes);
  if (leak) return `details leak internals (${JSON.stringify(leak)}): ${JSON.stringify(r.details.slice(0, 300))}`;
  if (r.details.length > MAX_DETAILS) return `details are ${r.details.length} chars long (echoed input?)`;
  const transportOk =
    (r.code === TRANSPORT_CODES.undecodable.code && r.details === TRANSPORT_CODES.undecodable.details && c.kind !== 'random' && c.kind !== 'empty') ||
    (r.code === TRANSPORT_CODES.oversize.code && c.bytes.length > MAX_REQUEST_BYTES) ||
    (r.code === TRANSPORT_CODES.deadline.code && c.mode !== 'normal' && c.mode !== 'cancelled') ||
    (r.code === TRANSPORT_CODES.cancelled.code && (c.mode === 'cancelled' || r.messages > 0)) ||
    TRANSPORT_CODES.overloaded.some(o => o.code === r.code && o.details === r.details);
  if (transportOk || documented.includes(r.code)) return undefined;
  if (c.kind === 'oversize') return `oversize request answered ${codeName(r.code)} "${r.details}" (expected RESOURCE_EXHAUSTED)`;
  return `undocumented status ${codeName(r.code)} "${r.details.slice(0, 300)}" (documented: ${documented.map(codeName).join(', ')})`;
}

/** The call was refused for its content (or never decoded): it must have changed nothing. */
export function isRefusal(c: FuzzCase, r: CaseResult, refusalCodes: ReadonlySet<status>): boolean {
  if (c.mode !== 'normal') return false;
  if (refusalCodes.has(r.code)) return true;
  if (r.code === status.INTERNAL && r.details === TRANSPORT_CODES.undecodable.details) return true;
  return r.code === status.RESOURCE_EXHAUSTED && c.bytes.length > MAX_REQUEST_BYTES;
}
