import assert from 'node:assert/strict';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { InvalidArgumentError } from '../../src/platform/errors';
import { createGrpcClient, unary } from '../../src/platform/grpc-client';
import type { AsyncServiceImpl } from '../../src/platform/grpc-server';
import { loadProtoDefinition } from '../../src/platform/protos';
import { projectPath } from '../../src/platform/paths';
import type { CallContext } from '../../src/platform/call-context';
import {
  EchoServiceClient,
  EchoServiceService,
  type EchoRequest,
  type EchoResponse,
} from '../fixtures/gen/fixture/v1/echo';
import { checkHealth, healthClient, listServicesByReflection } from '../support/grpc-probes';
import { startTestServer, type TestServer } from '../support/test-server';

const SHOWN_HEADERS = ['x-request-id', 'idempotency-key', 'traceparent', 'authorization'];

function headersOf(ctx: CallContext): Record<string, string> {
  const out: Record<string, string> = { deadline: String(ctx.deadline), requestId: ctx.requestId };
  for (const h of SHOWN_HEADERS) {
    const v = ctx.metadata.get(h)[0];
    if (typeof v === 'string') out[h] = v;
  }
  return out;
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>(r => (resolve = r));
  return { promise, resolve };
}

/** Backend echo service whose behaviour is chosen by the request text. */
function echoImpl(hooks: { gate?: Promise<void>; started?: () => void; aborted?: () => void }): AsyncServiceImpl<typeof EchoServiceService> {
  return {
    echo(req: EchoRequest, ctx): Promise<EchoResponse> | EchoResponse {
      switch (req.text) {
        case 'boom':
          return Promise.reject(new Error("ER_BAD_FIELD_ERROR: Unknown column 'secret_col' in 'field list'"));
        case 'sync-boom':
          throw new TypeError("Cannot read properties of undefined (reading 'internals')");
        case 'invalid':
          throw new InvalidArgumentError('text', 'must not be "invalid"');
        case 'slow':
          hooks.started?.();
          return (hooks.gate ?? Promise.resolve()).then(() => ({ text: 'finished', amount: req.amount, headers: {} }));
        case 'hang':
          hooks.started?.();
          return new Promise((_, reject) =>
            ctx.signal.addEventListener('abort', () => {
              hooks.aborted?.();
              reject(ctx.signal.reason);
            }),
          );
        default:
          return { text: req.text, amount: req.amount, headers: headersOf(ctx) };
      }
    },
    async *count(req, ctx) {
      for (let i = 1; i <= req.n && !ctx.signal.aborted; i++) yield { i };
    },
  };
}

function call(client: EchoServiceClient, req: Partial<EchoRequest>, md = new Metadata(), deadlineMs = 10_000): Promise<EchoResponse> {
  return new Promise((resolve, reject) =>
    client.echo({ text: '', amount: 0n, ...req }, md, { deadline: Date.now() + deadlineMs }, (err, res) =>
      err ? reject(err) : resolve(res),
    ),
  );
}

function isStatus(code: status, details?: string) {
  return (err: ServiceError) => {
    assert.equal(err.code, code, `code ${err.code} (${err.details})`);
    if (details !== undefined) assert.equal(err.details, details);
    return true;
  };
}

describe('platform gRPC server and client helpers (real sockets)', () => {
  let backend: TestServer;
  let client: EchoServiceClient;

  before(async () => {
    backend = await startTestServer(s => s.add(EchoServiceService, echoImpl({})), {
      reflection: loadProtoDefinition({ includeDirs: [projectPath('test/fixtures/protos')], files: ['fixture/v1/echo.proto'] }),
    });
    client = createGrpcClient(EchoServiceClient, backend.address);
  });
  after(async () => {
    client.close();
    await backend.stop();
  });

  it('serves a unary call with exact int64 (bigint) values', async () => {
    const res = await call(client, { text: 'hi', amount: 9007199254740993n });
    assert.equal(res.text, 'hi');
    assert.equal(res.amount, 9007199254740993n);
  });

  it('streams server-streaming responses from an async generator', async () => {
    const got: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const stream = client.count({ n: 5 });
      stream.on('data', (m: { i: number }) => got.push(m.i));
      stream.on('end', () => resolve());
      stream.on('error', reject);
    });
    assert.deepEqual(got, [1, 2, 3, 4, 5]);
  });

  it('reports health SERVING for "", liveness, readiness and the service name', async () => {
    const h = healthClient(backend.address);
    try {
      for (const name of ['', 'liveness', 'readiness', 'fixture.v1.EchoService']) {
        assert.equal(await checkHealth(h, name), 'SERVING', name);
      }
      await assert.rejects(checkHealth(h, 'no.such.Service'), isStatus(status.NOT_FOUND));
    } finally {
      h.close();
    }
  });

  it('serves reflection for the given protos', async () => {
    const names = await listServicesByReflection(backend.address);
    assert.ok(names.includes('fixture.v1.EchoService'), names.join(','));
  });

  it('maps typed errors to their code and message', async () => {
    await assert.rejects(call(client, { text: 'invalid' }), isStatus(status.INVALID_ARGUMENT, 'text: must not be "invalid"'));
  });

  it('turns unknown errors (async and sync) into INTERNAL "internal error" without internals', async () => {
    for (const text of ['boom', 'sync-boom']) {
      await assert.rejects(call(client, { text }), (err: ServiceError) => {
        isStatus(status.INTERNAL, 'internal error')(err);
        assert.ok(!err.message.includes('secret_col') && !err.message.includes('internals'), err.message);
        assert.equal(err.metadata.get('grpc-status-details-bin').length, 0);
        return true;
      });
    }
  });

  describe('client helper', () => {
    let front: TestServer;
    let hanging: TestServer;
    let frontClient: EchoServiceClient;
    const downstream: EchoServiceClient[] = [];
    const backendStarted = deferred();
    const backendAborted = deferred();

    before(async () => {
      // A hanging backend for the cancellation test.
      hanging = await startTestServer(s =>
        s.add(EchoServiceService, echoImpl({ started: backendStarted.resolve, aborted: backendAborted.resolve })),
      );
      const down = createGrpcClient(EchoServiceClient, backend.address);
      const downHanging = createGrpcClient(EchoServiceClient, hanging.address);
      downstream.push(down, downHanging);
      const echoDown = unary(down, 'echo', { defaultDeadlineMs: 5_000 });
      const echoHanging = unary(downHanging, 'echo', { defaultDeadlineMs: 60_000 });
      front = await startTestServer(s =>
        s.add(EchoServiceService, {
          // Forwards to the backend, which reports the metadata and deadline it received.
          echo: req => (req.text === 'hang' ? echoHanging(req) : echoDown(req, { metadata: { 'x-extra': '1' } })),
          count: async function* () {},
        }),
      );
      frontClient = createGrpcClient(EchoServiceClient, front.address);
    });
    after(async () => {
      frontClient.close();
      downstream.forEach(c => c.close());
      await front.stop();
      await hanging.stop();
    });

    it('propagates allow-listed metadata (request id, idempotency key, traceparent) but not authorization', async () => {
      const md = new Metadata();
      md.set('x-request-id', 'req-123');
      md.set('idempotency-key', 'idem-9');
      md.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      md.set('authorization', 'Bearer secret');
      const res = await call(frontClient, { text: 'relay', amount: 5n }, md);
      assert.equal(res.amount, 5n);
      assert.equal(res.headers['x-request-id'], 'req-123');
      assert.equal(res.headers['idempotency-key'], 'idem-9');
      assert.equal(res.headers['traceparent'], '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      assert.equal(res.headers['authorization'], undefined);
    });

    it('generates a request id when the caller sent none and passes it downstream', async () => {
      const res = await call(frontClient, { text: 'relay' });
      assert.match(res.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(res.headers['requestId'], res.headers['x-request-id']);
    });

    it('caps the downstream deadline at the incoming one', async () => {
      const before = Date.now();
      const res = await call(frontClient, { text: 'relay' }, new Metadata(), 3_000);
      const downstreamDeadline = Number(res.headers['deadline']);
      assert.ok(Number.isFinite(downstreamDeadline));
      // Uncapped it would be ~5000 ms ahead (the client's default); capped it is ~3000.
      assert.ok(downstreamDeadline < before + 4_000, `downstream deadline ${downstreamDeadline - before} ms ahead, incoming was 3000`);
    });

    it('cancels the downstream call when the incoming call is cancelled', async () => {
      const pending = frontClient.echo({ text: 'hang', amount: 0n }, (err: ServiceError | null) => {
        assert.equal(err?.code, status.CANCELLED);
      });
      await backendStarted.promise;
      pending.cancel();
      await backendAborted.promise; // resolves only if the backend saw its ctx.signal abort
    });
  });
});

describe('platform gRPC graceful stop (real sockets)', () => {
  it('goes NOT_SERVING, lets an in-flight call finish, then refuses new calls', async () => {
    const gate = deferred();
    const started = deferred();
    const server = await startTestServer(s => s.add(EchoServiceService, echoImpl({ gate: gate.promise, started: started.resolve })));
    const client = createGrpcClient(EchoServiceClient, server.address);
    const h = healthClient(server.address);
    try {
      // Watch readiness from before the stop (a stopping server takes no new calls, so no Check).
      const seen: string[] = [];
      const sawNotServing = deferred();
      const watch = h.watch({ service: 'readiness' });
      watch.on('data', (m: { status: string }) => {
        seen.push(m.status);
        if (m.status === 'NOT_SERVING') sawNotServing.resolve();
      });
      watch.on('error', () => undefined);

      const inFlight = call(client, { text: 'slow', amount: 42n });
      await started.promise;
      const stopped = server.stop();
      await sawNotServing.promise;
      assert.deepEqual(seen, ['SERVING', 'NOT_SERVING']);
      watch.cancel(); // the probe goes away, as a load balancer would

      gate.resolve();
      const res = await inFlight;
      assert.equal(res.text, 'finished');
      assert.equal(res.amount, 42n);
      await stopped;
      assert.equal(server.stop(), stopped, 'stop() is idempotent');

      await assert.rejects(call(client, { text: 'late' }, new Metadata(), 2_000), (err: ServiceError) => {
        assert.ok([status.UNAVAILABLE, status.DEADLINE_EXCEEDED].includes(err.code), `code ${err.code}`);
        return true;
      });
    } finally {
      h.close();
      client.close();
    }
  });
});
