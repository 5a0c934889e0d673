// Hostile input for every public RPC we serve: FUZZ_CASES (default 10 000) seeded cases each — random
// and boundary field values, raw wire-level garbage, oversize messages, expired deadlines, cancelled
// calls — against `main all` in a child process on real Redis (a private redis-server) + MariaDB (throw-away DB).
// Each answer must be a documented status with a safe message; the server must stay SERVING; and the
// calls refused for their content, replayed between two snapshots, must change nothing.
import { strict as assert } from 'node:assert';
import type { Client } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { codeName, DOCUMENTED_CODES, NOT_SERVED, REFUSAL_CODES } from './documented-codes';
import { buildCase, describeCase, type FuzzCase } from './lib/cases';
import { isRefusal, judge } from './lib/checks';
import { encodeMessage, listRpcs, loadProtoRoot, type RpcInfo } from './lib/messages';
import { callServerStream, callUnary, createRawClient, pool, type CaseResult } from './lib/runner';
import { createSnapshotter, diffSnapshots, SNAPSHOT_IGNORED_KEYS, type Snapshotter } from './lib/snapshot';
import { FUZZ_ADMIN_TOKEN, SERVER_LOG, startFuzzWorld, type FuzzWorld } from './lib/world';
import { SEED_ITEMS } from '../../src/services/productcatalog/seed/seed-data';

function envInt(name: string, def: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

const CASES = envInt('FUZZ_CASES', 10_000);
const SEED = envInt('FUZZ_SEED', Math.floor(Math.random() * 2 ** 31));
const CONCURRENCY = envInt('FUZZ_CONCURRENCY', 32);
/** Refused cases replayed between snapshots per RPC (0 = all of them; default 1 000 keeps CI time bounded). */
const REPLAY = envInt('FUZZ_REPLAY', 1_000);
/** "path" or "path#index": run only that RPC / that one case. */
const ONLY = process.env.FUZZ_ONLY ?? '';
const MAX_REPORTED = 5;

const root = loadProtoRoot();
const served = listRpcs(root).filter(r => !NOT_SERVED.includes(r.service));

interface Tally {
  readonly rpc: string;
  readonly cases: number;
  readonly ms: number;
  readonly codes: Map<string, number>;
  readonly replayed: number;
  /** CPU ms of the server process and of this (client) process during the cases. */
  readonly serverCpuMs: number;
  readonly clientCpuMs: number;
}

describe(`fuzz: every public RPC (FUZZ_SEED=${SEED}, FUZZ_CASES=${CASES})`, function () {
  this.timeout(600_000);
  let world: FuzzWorld;
  let snapshots: Snapshotter;
  const clients = new Map<string, Client>();
  const tallies: Tally[] = [];

  before(async function () {
    const t0 = Date.now();
    this.timeout(180_000);
    world = await startFuzzWorld({
      env: {
        // Generous limits so random input reaches the code behind the limiter; the limiter itself is documented.
        CHECKOUT_USER_LIMIT: '1000000',
        CHECKOUT_IP_LIMIT: '1000000',
        FLASH_BUY_USER_LIMIT: '1000000',
        FLASH_BUY_IP_LIMIT: '1000000',
        FLASH_TOKEN_USER_LIMIT: '1000000',
      },
    });
    snapshots = await createSnapshotter(world.redisUrl, world.db.config.mysql.url);
    // Warm every seeded item so Reserve/Buy/PlaceOrder cases can get as far as the stock scripts.
    const warmUp = root.lookupType('shop.v1.WarmUpRequest');
    const client = clientFor('shop.v1.InventoryService');
    const res = await callUnary(client, {
      rpc: '/shop.v1.InventoryService/WarmUp', index: -1, seed: 0, kind: 'random', mode: 'normal', metadata: { authorization: `Bearer ${FUZZ_ADMIN_TOKEN}` },
      bytes: encodeMessage(warmUp, { product_ids: SEED_ITEMS.map(i => i.product.id) }),
    });
    assert.equal(res.code, status.OK, `warm-up failed: ${res.details}`);
    console.log(`    (system under fuzz up in ${Date.now() - t0} ms)`);
  });

  after(async () => {
    for (const c of clients.values()) c.close();
    await snapshots?.close();
    await world?.stop();
    if (tallies.length > 0) {
      const total = tallies.reduce((n, t) => n + t.cases, 0);
      const sum = (f: (t: Tally) => number) => (tallies.reduce((n, t) => n + f(t), 0) / 1000).toFixed(1);
      console.log(
        `\n  fuzz summary: ${tallies.length} RPCs, ${total} cases in ${sum(t => t.ms)} s wall; CPU: server ${sum(t => t.serverCpuMs)} s, client ${sum(t => t.clientCpuMs)} s; FUZZ_SEED=${SEED}`,
      );
      for (const t of tallies) {
        const codes = [...t.codes.entries()].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c}=${n}`).join(' ');
        console.log(`    ${t.rpc.padEnd(50)} ${String(t.cases).padStart(6)} cases ${String(t.ms).padStart(6)} ms (cpu server ${t.serverCpuMs} / client ${t.clientCpuMs})  replayed ${t.replayed}  ${codes}`);
      }
    }
  });

  function clientFor(service: string): Client {
    const address = world.addressOf.get(service);
    if (!address) throw new Error(`no server lists ${service} through reflection`);
    let c = clients.get(address);
    if (!c) clients.set(address, (c = createRawClient(address)));
    return c;
  }

  /** A fresh channel to the service (the old one is closed). */
  function reconnect(service: string): Client {
    const address = world.addressOf.get(service) as string;
    clients.get(address)?.close();
    clients.delete(address);
    return clientFor(service);
  }

  it('documents exactly the RPCs we serve', () => {
    const inProtos = served.map(r => r.path).sort();
    assert.deepEqual(Object.keys(DOCUMENTED_CODES).sort(), inProtos, 'test/fuzz/documented-codes.ts must have one row per served RPC');
    const missing = [...new Set(served.map(r => r.service))].filter(s => !world.addressOf.has(s));
    assert.deepEqual(missing, [], 'every service in the protos (but NOT_SERVED) is served by `main all`');
  });

  for (const rpc of served) {
    if (ONLY !== '' && !ONLY.startsWith(rpc.path)) continue;
    it(`${rpc.path}: ${CASES} cases`, async () => fuzzRpc(rpc));
  }

  async function fuzzRpc(rpc: RpcInfo): Promise<void> {
    if (rpc.clientStreaming) throw new Error(`${rpc.path}: client streaming is not fuzzed yet`);
    let client = clientFor(rpc.service);
    const address = world.addressOf.get(rpc.service) as string;
    const call = rpc.serverStreaming ? callServerStream : callUnary;
    const onlyIndex = ONLY.includes('#') ? Number(ONLY.split('#')[1]) : undefined;
    const indexes = onlyIndex !== undefined ? [onlyIndex] : Array.from({ length: CASES }, (_, i) => i);
    const make = (i: number): FuzzCase => buildCase(SEED, rpc.path, i, rpc.requestType, FUZZ_ADMIN_TOKEN);
    const codes = new Map<string, number>();
    const failures: string[] = [];
    const refused: number[] = [];
    // Cases whose HTTP/2 connection was reset under them (every call in flight on it fails at once, so the
    // status is not that case's answer): each is sent again, alone, on a fresh connection and judged then —
    // a case that resets the connection by itself still fails.
    const reset: number[] = [];
    world.drainUnexpected();

    const started = Date.now();
    const cpu0 = { server: world.cpuMs(), client: process.cpuUsage() };
    const latency = new Map<string, [number, number]>();
    await pool(indexes.length, CONCURRENCY, async k => {
      const c = make(indexes[k] as number);
      const t = Date.now();
      const r: CaseResult = await call(client, c);
      if (process.env.FUZZ_DEBUG) {
        const key = `${c.kind}/${c.mode}/${codeName(r.code)}`;
        const [n, sum] = latency.get(key) ?? [0, 0];
        latency.set(key, [n + 1, sum + Date.now() - t]);
      }
      if (isConnectionReset(r)) {
        reset.push(c.index);
        return;
      }
      record(c, r);
    });
    if (reset.length > 0) {
      client = reconnect(rpc.service);
      for (const i of reset) record(make(i), await call(client, make(i)));
      codes.set('CONNECTION_RESET_RESENT', reset.length);
    }
    function record(c: FuzzCase, r: CaseResult): void {
      codes.set(codeName(r.code), (codes.get(codeName(r.code)) ?? 0) + 1);
      const problem = judge(c, r);
      if (problem) failures.push(`${problem}\n        replay: ${describeCase(c, SEED)}`);
      else if (isRefusal(c, r, REFUSAL_CODES)) refused.push(c.index);
    }
    const ms = Date.now() - started;
    const serverCpuMs = world.cpuMs() - cpu0.server;
    const clientUsage = process.cpuUsage(cpu0.client);
    const clientCpuMs = Math.round((clientUsage.user + clientUsage.system) / 1000);
    for (const [k, [n, sum]] of latency) console.log(`      ${k}: ${n} calls, mean ${(sum / n).toFixed(1)} ms`);

    const unexpected = world.drainUnexpected();
    await world.assertServing(address);

    // State: replay the refused cases between two snapshots (nothing else writes in this world).
    await new Promise(r => setTimeout(r, 300)); // let handlers of abandoned (deadline) calls finish
    const replay = REPLAY === 0 ? refused : refused.slice(0, REPLAY);
    const before = await snapshots.take();
    const notRefusedAgain: string[] = [];
    await pool(replay.length, CONCURRENCY, async k => {
      const c = make(replay[k] as number);
      const r = await call(client, c);
      if (!isRefusal(c, r, REFUSAL_CODES)) notRefusedAgain.push(`${codeName(r.code)} "${r.details}" — ${describeCase(c, SEED)}`);
    });
    await new Promise(r => setTimeout(r, 100));
    const after = await snapshots.take();
    tallies.push({ rpc: rpc.path, cases: indexes.length, ms, codes, replayed: replay.length, serverCpuMs, clientCpuMs });

    const report = (title: string, items: readonly string[]) =>
      items.length === 0 ? '' : `\n  ${title} (${items.length}):\n      ${items.slice(0, MAX_REPORTED).join('\n      ')}`;
    const diff = diffSnapshots(before, after);
    const text =
      report('bad answers', failures) +
      report(`unexpected server errors logged (all in ${SERVER_LOG})`, unexpected.map(u => `${u.msg} ${u.method ?? ''} ${u.err ?? ''}`)) +
      report(`refused calls changed state (ignoring ${SNAPSHOT_IGNORED_KEYS})`, diff) +
      report('refused once, not on replay', notRefusedAgain);
    assert.equal(text, '', `${rpc.path} (FUZZ_SEED=${SEED}):${text}`);
  }
});

/** grpc-js's words when the HTTP/2 session under a call was closed (all its calls fail together). */
function isConnectionReset(r: CaseResult): boolean {
  return r.code === status.INTERNAL && /^Received RST_STREAM with code \d+ triggered by internal client error: Session closed/.test(r.details);
}
