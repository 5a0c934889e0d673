import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../src/platform/errors';
import { escapeHtml } from '../../src/services/email/html-escape';
import { createLoggingSender } from '../../src/services/email/logging-sender';
import { createConfirmationMailer } from '../../src/services/email/mailer';
import { renderOrderConfirmation } from '../../src/services/email/render-confirmation';
import { type EmailSender, maskEmail } from '../../src/services/email/sender';
import { SmtpNotImplementedError, createSmtpSender } from '../../src/services/email/smtp-sender';
import type { EmailMessage, OrderSummary } from '../../src/services/email/types';

const order = (over: Partial<OrderSummary> = {}): OrderSummary => ({
  orderId: 'ord-1',
  shippingTrackingId: 'QK-20417-103895172',
  shippingCost: { currencyCode: 'EUR', units: 7n, nanos: 952_233_525 },
  shippingAddress: { streetAddress: '1600 Amphitheatre Parkway', city: 'Mountain View', state: 'CA', country: 'United States', zipCode: 94043 },
  items: [
    { item: { productId: 'OLJCESPC7Z', quantity: 2 }, cost: { currencyCode: 'EUR', units: 17n, nanos: 682_441_398 } },
    { item: { productId: '66VCHSJNUP', quantity: 1 }, cost: { currencyCode: 'EUR', units: 0n, nanos: 500_000_000 } },
  ],
  ...over,
});

describe('email confirmation rendering', () => {
  it('lists lines, shipping and the exact total', () => {
    const msg = renderOrderConfirmation('someone@example.com', order());
    assert.equal(msg.to, 'someone@example.com');
    assert.equal(msg.subject, 'Your order ord-1 is confirmed');
    assert.match(msg.text, /2 × OLJCESPC7Z @ 17\.682441398 EUR = 35\.364882796 EUR/);
    assert.match(msg.text, /Shipping: 7\.952233525 EUR/);
    // 7.952233525 + 35.364882796 + 0.5 = 43.817116321
    assert.match(msg.text, /Total: 43\.817116321 EUR/);
    assert.match(msg.text, /Tracking: QK-20417-103895172/);
    assert.match(msg.text, /94043 United States/);
    assert.match(msg.html, /<strong>Total: 43\.817116321 EUR<\/strong>/);
  });

  it('escapes user strings in the HTML part', () => {
    const evil = '<script>alert("x")</script>';
    const msg = renderOrderConfirmation('a@b.c', order({
      orderId: `o&${evil}`,
      shippingAddress: { streetAddress: evil, city: "O'Hare", state: '', country: 'US', zipCode: 1 },
      items: [{ item: { productId: evil, quantity: 1 }, cost: { currencyCode: 'EUR', units: 1n, nanos: 0 } }],
    }));
    assert.doesNotMatch(msg.html, /<script>/);
    assert.match(msg.html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
    assert.match(msg.html, /O&#39;Hare/);
    assert.match(msg.html, /o&amp;&lt;script&gt;/);
  });

  it('shows a pending tracking id and omits the total when currencies mix', () => {
    const msg = renderOrderConfirmation('a@b.c', order({
      shippingTrackingId: '',
      shippingCost: { currencyCode: 'USD', units: 8n, nanos: 990_000_000 },
    }));
    assert.match(msg.text, /Tracking: pending/);
    assert.doesNotMatch(msg.text, /Total:/);
  });

  it('survives missing optional parts', () => {
    const msg = renderOrderConfirmation('a@b.c', { orderId: 'x', shippingTrackingId: '', items: [{}] });
    assert.match(msg.text, /0 ×  @ - = -/);
    assert.match(msg.text, /\(no address\)/);
  });

  it('escapeHtml covers the five special characters', () => {
    assert.equal(escapeHtml(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
  });
});

describe('email senders', () => {
  it('masks addresses', () => {
    assert.equal(maskEmail('someone@example.com'), 's***@example.com');
    assert.equal(maskEmail('nobody'), '***');
    assert.equal(maskEmail('@x'), '***');
  });

  it('logging sender logs order id and masked address, never the full address', async () => {
    const logged: Array<{ obj: object; msg: string }> = [];
    const sender = createLoggingSender({ info: (obj, msg) => logged.push({ obj, msg }) });
    await sender.send(renderOrderConfirmation('someone@example.com', order()));
    assert.equal(logged.length, 1);
    assert.equal(logged[0].msg, 'order confirmation to s***@example.com for order ord-1');
    assert.doesNotMatch(JSON.stringify(logged), /someone@/);
  });

  it('SMTP seam refuses to start', () => {
    assert.throws(() => createSmtpSender({ host: 'localhost', port: 25, secure: false, from: 'shop@example.com' }), SmtpNotImplementedError);
  });
});

describe('confirmation mailer', () => {
  const capture = (): EmailSender & { sent: EmailMessage[] } => {
    const sent: EmailMessage[] = [];
    return { kind: 'capture', sent, send: async (m) => void sent.push(m) };
  };

  it('renders and sends', async () => {
    const sender = capture();
    await createConfirmationMailer(sender).sendOrderConfirmation('someone@example.com', order());
    assert.equal(sender.sent.length, 1);
    assert.equal(sender.sent[0].orderId, 'ord-1');
  });

  const bad: Array<[string, string, OrderSummary | undefined, string]> = [
    ['empty email', '', order(), 'email'],
    ['no @', 'someone', order(), 'email'],
    ['spaces', 'some one@example.com', order(), 'email'],
    ['missing order', 'a@b.c', undefined, 'order'],
    ['empty order id', 'a@b.c', order({ orderId: '' }), 'order.order_id'],
  ];
  for (const [name, email, o, field] of bad) {
    it(`${name} → InvalidArgumentError on ${field}, nothing sent`, async () => {
      const sender = capture();
      await assert.rejects(createConfirmationMailer(sender).sendOrderConfirmation(email, o),
        (e: unknown) => e instanceof InvalidArgumentError && e.field === field);
      assert.equal(sender.sent.length, 0);
    });
  }
});
