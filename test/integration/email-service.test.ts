// EmailService over real gRPC, called the way upstream checkout does (proto-loader, keepCase, longs as String).
import assert from 'node:assert/strict';
import { type Client, type GrpcObject, type ServiceClientConstructor, type ServiceError, credentials, loadPackageDefinition, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { EmailServiceService } from '../../src/gen/hipstershop/demo';
import { projectPath } from '../../src/platform/paths';
import { createLoggingSender } from '../../src/services/email/logging-sender';
import { createConfirmationMailer } from '../../src/services/email/mailer';
import type { EmailSender } from '../../src/services/email/sender';
import { createEmailHandlers } from '../../src/services/email/server';
import type { EmailMessage } from '../../src/services/email/types';
import { type TestServer, startTestServer } from '../support/test-server';

/** A hipstershop client built from demo.proto exactly as upstream's Node services load it. */
function upstreamClient(service: string, address: string): Client {
  const def = loadSync('hipstershop/demo.proto', {
    keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [projectPath('protos')],
  });
  const pkg = loadPackageDefinition(def).hipstershop as GrpcObject;
  return new (pkg[service] as ServiceClientConstructor)(address, credentials.createInsecure());
}

function unary<Res>(client: Client, method: string, req: object): Promise<Res> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, Function>)[method] as Function;
    fn.call(client, req, (err: ServiceError | null, res: Res) => (err ? reject(err) : resolve(res)));
  });
}

const rejectsWith = (code: status, details: RegExp | string) => (e: unknown): boolean => {
  const err = e as ServiceError;
  assert.equal(err.code, code, `code ${err.code} (${err.details})`);
  if (typeof details === 'string') assert.equal(err.details, details);
  else assert.match(err.details, details);
  return true;
};

const ORDER = {
  order_id: 'a1b2c3',
  shipping_tracking_id: 'QK-20417-103895172',
  shipping_cost: { currency_code: 'USD', units: '8', nanos: 990_000_000 },
  shipping_address: { street_address: '1600 <Amphitheatre> Parkway', city: 'Mountain View', state: 'CA', country: 'United States', zip_code: 94043 },
  items: [{ item: { product_id: 'OLJCESPC7Z', quantity: 3 }, cost: { currency_code: 'USD', units: '19', nanos: 990_000_000 } }],
};

describe('email service (gRPC, upstream-style client)', () => {
  const sent: EmailMessage[] = [];
  const logged: string[] = [];
  let server: TestServer;
  let client: Client;

  before(async () => {
    // The default logging sender, plus a tap that keeps the rendered message for assertions.
    const logging = createLoggingSender({ info: (_obj, msg) => void logged.push(msg) });
    const sender: EmailSender = { kind: 'tap', send: async m => { sent.push(m); await logging.send(m); } };
    server = await startTestServer(s => s.add(EmailServiceService, createEmailHandlers(createConfirmationMailer(sender))));
    client = upstreamClient('EmailService', server.address);
  });

  beforeEach(() => {
    sent.length = 0;
    logged.length = 0;
  });

  after(async () => {
    client?.close();
    await server?.stop();
  });

  it('SendOrderConfirmation renders the order and logs without the full address', async () => {
    const res = await unary(client, 'SendOrderConfirmation', { email: 'someone@example.com', order: ORDER });
    assert.deepEqual(res, {});
    assert.equal(sent.length, 1);
    const msg = sent[0] as EmailMessage;
    assert.equal(msg.to, 'someone@example.com');
    // 8.99 + 3 × 19.99 = 68.96
    assert.match(msg.text, /3 × OLJCESPC7Z @ 19\.99 USD = 59\.97 USD/);
    assert.match(msg.text, /Total: 68\.96 USD/);
    assert.match(msg.html, /1600 &lt;Amphitheatre&gt; Parkway/);
    assert.deepEqual(logged, ['order confirmation to s***@example.com for order a1b2c3']);
  });

  it('bad email → INVALID_ARGUMENT naming email; nothing sent', async () => {
    await assert.rejects(
      unary(client, 'SendOrderConfirmation', { email: 'not-an-address', order: ORDER }),
      rejectsWith(status.INVALID_ARGUMENT, 'email: must be an address like name@example.com'),
    );
    assert.equal(sent.length, 0);
  });

  it('missing order → INVALID_ARGUMENT naming order', async () => {
    await assert.rejects(unary(client, 'SendOrderConfirmation', { email: 'a@b.c' }), rejectsWith(status.INVALID_ARGUMENT, 'order: is required'));
    assert.equal(sent.length, 0);
  });
});
