// EmailService over real gRPC, called the way upstream checkout does (proto-loader, keepCase, longs as String).
import assert from 'node:assert/strict';
import { type Client, status } from '@grpc/grpc-js';
import { EmailServiceService } from '../../src/gen/hipstershop/demo';
import { createLoggingSender } from '../../src/services/email/logging-sender';
import { createConfirmationMailer } from '../../src/services/email/mailer';
import type { EmailSender } from '../../src/services/email/sender';
import { createEmailHandlers } from '../../src/services/email/server';
import type { EmailMessage } from '../../src/services/email/types';
import { type TestServer, startTestServer } from '../support/test-server';
import { rejectsWith, unary, upstreamClient } from '../support/upstream-client';

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
