// Every admin RPC (the rows of test/fuzz/documented-codes.ts that list UNAUTHENTICATED) refuses a call
// without the bearer token, with a wrong one, or with a malformed header — before looking at the
// request — and never echoes the token. With ADMIN_TOKEN empty every admin RPC is off (PERMISSION_DENIED).
// The guard (src/platform/admin-auth.ts) compares SHA-256 digests with timingSafeEqual: constant time.
import { strict as assert } from 'node:assert';
import { Client, Metadata, status } from '@grpc/grpc-js';
import { ADMIN_RPCS, codeName } from '../fuzz/documented-codes';
import { createRawClient } from '../fuzz/lib/runner';
import { FUZZ_ADMIN_TOKEN, startFuzzWorld, type FuzzWorld } from '../fuzz/lib/world';

const serviceOf = (path: string) => path.split('/')[1] as string;

interface Row {
  readonly name: string;
  /** Values of the authorization header (grpc-js itself refuses to send several). */
  readonly authorization: readonly string[];
  readonly expect: 'refused' | 'accepted';
}

const TOKEN = FUZZ_ADMIN_TOKEN;
const ROWS: readonly Row[] = [
  { name: 'no authorization header', authorization: [], expect: 'refused' },
  { name: 'wrong token, same length', authorization: [`Bearer ${TOKEN.slice(0, -1)}${TOKEN.endsWith('x') ? 'y' : 'x'}`], expect: 'refused' },
  { name: 'wrong token, longer', authorization: [`Bearer ${TOKEN}${TOKEN}`], expect: 'refused' },
  { name: 'token prefix', authorization: [`Bearer ${TOKEN.slice(0, 4)}`], expect: 'refused' },
  { name: 'empty bearer', authorization: ['Bearer '], expect: 'refused' },
  { name: 'token without scheme', authorization: [TOKEN], expect: 'refused' },
  { name: 'Basic scheme', authorization: [`Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`], expect: 'refused' },
  { name: 'token plus extra words', authorization: [`Bearer ${TOKEN} x`], expect: 'refused' },
  { name: 'the admin token', authorization: [`Bearer ${TOKEN}`], expect: 'accepted' },
  { name: 'the admin token, lower-case scheme', authorization: [`bearer ${TOKEN}`], expect: 'accepted' },
];

function call(client: Client, path: string, authorization: readonly string[]) {
  const md = new Metadata();
  for (const v of authorization) md.add('authorization', v);
  return new Promise<{ code: status; details: string }>(resolve => {
    client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), md, { deadline: Date.now() + 15_000 }, err =>
      resolve(err ? { code: err.code, details: err.details } : { code: status.OK, details: '' }),
    );
  });
}

function useWorld(adminToken: string): { readonly world: FuzzWorld; client(path: string): Client } {
  let world: FuzzWorld | undefined;
  const clients = new Map<string, Client>();
  before(async function () {
    this.timeout(180_000);
    world = await startFuzzWorld({ adminToken });
  });
  after(async () => {
    for (const c of clients.values()) c.close();
    await world?.stop();
  });
  return {
    get world() {
      if (!world) throw new Error('world not started');
      return world;
    },
    client(path) {
      const address = world?.addressOf.get(serviceOf(path));
      if (!address) throw new Error(`${serviceOf(path)} is not served by \`main all\``);
      let c = clients.get(address);
      if (!c) clients.set(address, (c = createRawClient(address)));
      return c;
    },
  };
}

describe('admin RPCs: bearer token table', function () {
  this.timeout(60_000);

  it('there are admin RPCs to check (inventory, order dead letters, ledger)', () => {
    for (const p of ['/shop.v1.InventoryService/WarmUp', '/shop.v1.InventoryService/Release', '/shop.v1.InventoryService/ConfigureItem', '/shop.v1.OrderService/ListDeadLetters', '/shop.v1.OrderService/ReplayDeadLetter']) {
      assert.ok(ADMIN_RPCS.includes(p), `${p} is documented as an admin RPC`);
    }
  });

  describe('with ADMIN_TOKEN set', () => {
    const w = useWorld(TOKEN);
    for (const path of ADMIN_RPCS) {
      it(`${path}: refuses every wrong credential with UNAUTHENTICATED, accepts the token`, async () => {
        const client = w.client(path);
        const problems: string[] = [];
        for (const row of ROWS) {
          const r = await call(client, path, row.authorization);
          if (r.details.includes(TOKEN.slice(4))) problems.push(`${row.name}: details echo the token`);
          const refused = r.code === status.UNAUTHENTICATED;
          if (row.expect === 'refused' && !refused) problems.push(`${row.name}: ${codeName(r.code)} "${r.details}" (expected UNAUTHENTICATED)`);
          if (row.expect === 'accepted' && (refused || r.code === status.PERMISSION_DENIED)) problems.push(`${row.name}: refused with ${codeName(r.code)} "${r.details}"`);
        }
        assert.deepEqual(problems, []);
      });
    }
  });

  describe('with ADMIN_TOKEN empty (admin RPCs off)', () => {
    const w = useWorld('');
    for (const path of ADMIN_RPCS) {
      it(`${path}: PERMISSION_DENIED whatever the header`, async () => {
        const client = w.client(path);
        for (const authorization of [[], ['Bearer '], [`Bearer ${TOKEN}`], ['Bearer']]) {
          const r = await call(client, path, authorization);
          assert.equal(codeName(r.code), 'PERMISSION_DENIED', `${JSON.stringify(authorization)}: "${r.details}"`);
        }
      });
    }
  });
});
