// The shop in a real browser (Debian's chromium driven by playwright-core, headless): `main all` with the
// gateway on free ports against the shared stack. A buyer opens the sale page, buys the last unit, sees
// "accepted" pushed over the WebSocket (which survives a dropped socket), pays and sees the paid state;
// a second buyer then sees "sold out"; the operator dashboard's numbers move between two reads.
// Screenshots of both pages go to test-artifacts/ and docs/screenshots/.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { InventoryServiceClient, WarmUpOutcome } from '../../src/gen/shop/v1/inventory';
import { createGrpcClient, unary } from '../../src/platform/grpc-client';
import { projectPath } from '../../src/platform/paths';
import { deadLetters } from '../../src/services/order/schema';
import { SEED_ITEMS, type SeedItem } from '../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../src/services/productcatalog/seed/seed-products';
import { select, scrape } from '../integration/telemetry/prometheus-text';
import { useTestDatabase } from '../support/test-database';
import { launchChromium } from './chromium';
import { startShop, until, type ShopProcess } from './shop-process';

/** A Redis database only this suite uses (main-start 7, metrics-scrape 11). */
const REDIS_URL = 'redis://127.0.0.1:6390/13';
const ITEM: SeedItem = {
  product: { ...SEED_ITEMS[0]!.product, id: 'BROWSER-FLASH-1', name: 'Aviator Sunglasses' },
  stock: 1,
  perUserLimit: 1,
  flashSale: true,
};
/** A second item (one per buyer) keeps stock: the item picker lists both, and a second Buy hits the limit. */
const SPARE: SeedItem = { product: { ...SEED_ITEMS[2]!.product, id: 'BROWSER-FLASH-2', name: 'Gold Watch' }, stock: 25, perUserLimit: 1, flashSale: true };
const ARTIFACTS = projectPath('test-artifacts');
const DOCS = projectPath('docs/screenshots');
const WAIT = { timeout: 60_000 };

const stateIs = (...states: string[]) =>
  `${JSON.stringify(states)}.includes(document.querySelector('#order-status')?.dataset.state)`;

/** Waits for the order panel to reach one of `states`; a timeout names the state the page is in. */
async function waitOrderState(page: Page, ...states: string[]): Promise<void> {
  try {
    await page.waitForFunction(stateIs(...states), undefined, WAIT);
  } catch (err) {
    const panel = page.locator('#order-status');
    throw new Error(`order panel never reached ${states.join('|')}: it shows ${await panel.getAttribute('data-state')} "${await panel.textContent()}" (${(err as Error).message.split('\n')[0]})`);
  }
}

async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await mkdir(DOCS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
  await page.screenshot({ path: `${DOCS}/${name}.png`, fullPage: true });
}

interface DashboardReading {
  readonly acceptedTotal: number;
  readonly redisStock: number;
  readonly updatedAt: string;
}

async function readDashboard(page: Page): Promise<DashboardReading> {
  const text = async (selector: string) => (await page.locator(selector).textContent()) ?? '';
  return {
    acceptedTotal: Number((await text('#accepted-total')).replace(/,/g, '')),
    redisStock: Number((await text(`#stock-table tr[data-product-id="${ITEM.product.id}"] td[data-col="redis"]`)).replace(/,/g, '')),
    updatedAt: await text('#updated-at'),
  };
}

describe('browser: the flash-sale page and the operator dashboard', function () {
  this.timeout(300_000);
  const tdb = useTestDatabase();
  let shop: ShopProcess | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  let dashboard: Page;
  let baseline: DashboardReading;
  /** A buyer whose page was loaded while the last unit was still there, and whose timers are frozen (no refresh). */
  let staleBuyer: Page;
  /** The first buyer's page (a session of its own). */
  let buyer: Page;

  const newPage = async (): Promise<Page> => {
    const context = await browser!.newContext({ viewport: { width: 1200, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    return page;
  };
  const open = async (page: Page, path: string) => {
    await page.goto(`${shop!.baseUrl}${path}`);
  };

  before(async function () {
    await seedProducts(tdb.current.db, [ITEM, SPARE], { reset: true, saleStartsAt: new Date(Date.now() - 60_000), overrideSaleStart: true });
    shop = await startShop({ mysqlUrl: tdb.current.config.mysql.url, redisUrl: REDIS_URL });
    const inventory = createGrpcClient(InventoryServiceClient, shop.grpc.productCatalog as string);
    try {
      const warm = await unary(inventory, 'warmUp', { defaultDeadlineMs: 15_000 })(
        { productIds: [ITEM.product.id, SPARE.product.id] },
        { metadata: { authorization: `Bearer ${shop.adminToken}` } },
      );
      assert.deepEqual(warm.results.map(r => r.outcome), [WarmUpOutcome.WARM_UP_OUTCOME_WARMED, WarmUpOutcome.WARM_UP_OUTCOME_WARMED]);
    } finally {
      inventory.close();
    }
    // Fresh consumer groups start at the queue's end: sell only once both order consumers have polled.
    for (const group of [shop.createdGroup, shop.statusGroup]) {
      await until(`a first poll of ${group}`, async () => select(await scrape(shop!.metricsPort), 'rocketmq_consumer_lag_ms', { group }).length > 0, 90_000);
    }
    browser = await launchChromium();

    // The operator signs in once; the page then refreshes by itself every second.
    dashboard = await newPage();
    await open(dashboard, '/dashboard');
    await dashboard.locator('#admin-token').fill(shop.adminToken);
    await dashboard.locator('#token-submit').click();
    await dashboard.waitForFunction(`document.querySelector('#stock-table tr[data-product-id="${ITEM.product.id}"]') !== null`, undefined, WAIT);
    baseline = await readDashboard(dashboard);

    staleBuyer = await newPage();
    const t0 = Date.now();
    await staleBuyer.clock.install({ time: t0 });
    await staleBuyer.clock.pauseAt(t0 + 1_000);
    await open(staleBuyer, `/?item=${ITEM.product.id}`);
    await staleBuyer.waitForFunction(`document.body.dataset.ready === 'true'`, undefined, WAIT);
    assert.equal(await staleBuyer.locator('#remaining').textContent(), '1');
  });

  after(async function () {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await shop?.stop();
  });

  it('a buyer opens the page, buys, sees "accepted" pushed over the socket, pays and sees the paid state', async () => {
    const page = (buyer = await newPage());
    await open(page, `/?item=${ITEM.product.id}`);
    await page.waitForFunction(`document.body.dataset.ready === 'true'`, undefined, WAIT);
    assert.equal(await page.locator('#item-name').textContent(), ITEM.product.name);
    assert.equal(await page.locator('#item-price').textContent(), '$19.99');
    assert.equal(await page.locator('#remaining').textContent(), '1');
    assert.equal(await page.locator('#sale-state').getAttribute('data-state'), 'ACTIVE');
    assert.equal(await page.locator('#buy-button').isEnabled(), true);

    await page.locator('#buy-button').click();
    await waitOrderState(page, 'accepted');
    const orderId = (await page.locator('#order-id').textContent()) ?? '';
    assert.match(orderId, /\S+/);
    assert.match((await page.locator('#order-status').textContent()) ?? '', /Accepted/);
    assert.equal(await page.locator('#pay-form').isVisible(), true);
    assert.match((await page.locator('#pay-countdown').textContent()) ?? '', /^\d+(:\d\d)+$/);

    // The socket drops (as on a flaky network): the page polls, reconnects and stays current.
    await page.waitForFunction(`document.querySelector('#connection')?.dataset.state === 'live'`, undefined, WAIT);
    await page.evaluate('window.__sale.dropSocket()');
    await page.waitForFunction(`document.querySelector('#connection')?.dataset.state === 'live'`, undefined, WAIT);

    await page.locator('#pay-button').click();
    await waitOrderState(page, 'paid', 'shipped');
    assert.match((await page.locator('#order-status').textContent()) ?? '', /Paid|Shipped/);
    assert.equal(await page.locator('#order-id').textContent(), orderId);
    assert.equal(await page.locator('#pay-form').isVisible(), false);
    await page.waitForFunction(`document.querySelector('#remaining')?.textContent === '0'`, undefined, WAIT);
    await screenshot(page, 'sale');
  });

  it('a second buyer whose page still shows the last unit clicks Buy and is told "sold out"', async () => {
    assert.equal(await staleBuyer.locator('#buy-button').isEnabled(), true, 'the stale page still offers the unit');
    await staleBuyer.locator('#buy-button').click();
    await waitOrderState(staleBuyer, 'sold-out');
    assert.match((await staleBuyer.locator('#order-status').textContent()) ?? '', /Sold out/);
    assert.equal(await staleBuyer.locator('#pay-form').isVisible(), false);
  });

  it('a buyer opening the page after the stock is gone sees "sold out" and cannot buy', async () => {
    const page = await newPage();
    await open(page, `/?item=${ITEM.product.id}`);
    await page.waitForFunction(`document.body.dataset.ready === 'true'`, undefined, WAIT);
    await page.waitForFunction(`document.querySelector('#sale-state')?.dataset.state === 'SOLD_OUT'`, undefined, WAIT);
    assert.equal(await page.locator('#sale-state').textContent(), 'Sold out');
    assert.equal(await page.locator('#remaining').textContent(), '0');
    assert.equal(await page.locator('#buy-button').isDisabled(), true);
    assert.equal(await page.locator('#buy-button').textContent(), 'Sold out');
    // A different item of the same sale is still on offer (the item picker lists both).
    assert.equal(await page.locator('#item-picker a').count(), 2);
  });

  it('the same buyer takes the one unit allowed of another item, pays, and a second Buy is refused with "limit reached"', async () => {
    const page = buyer;
    await open(page, `/?item=${SPARE.product.id}`);
    await page.waitForFunction(`document.body.dataset.ready === 'true'`, undefined, WAIT);
    assert.equal(await page.locator('#limit').textContent(), '1');
    await page.locator('#buy-button').click();
    await waitOrderState(page, 'accepted');
    await page.locator('#pay-button').click();
    await waitOrderState(page, 'paid', 'shipped');
    await page.waitForFunction(`!document.querySelector('#buy-button').disabled`, undefined, WAIT);
    await page.locator('#buy-button').click();
    await waitOrderState(page, 'limit');
    assert.match((await page.locator('#order-status').textContent()) ?? '', /Limit reached/);
  });

  it("the dashboard's numbers move during the sale (accepted count up, Redis stock down, ledger verdict shown)", async () => {
    assert.equal(baseline.redisStock, 1, 'the dashboard showed the unit before the sale');
    let last: DashboardReading | undefined;
    const after = await until(
      'the dashboard to show the sale',
      async () => {
        last = await readDashboard(dashboard);
        return last.acceptedTotal > baseline.acceptedTotal && last.redisStock === 0 ? last : undefined;
      },
      60_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}: before ${JSON.stringify(baseline)}, last ${JSON.stringify(last)}`);
    });
    assert.notEqual(after.updatedAt, baseline.updatedAt, 'refreshed by itself');
    // Once the write-behind has caught up, MySQL shows the sale too: Redis and MySQL agree side by side.
    await dashboard.waitForFunction(
      `document.querySelector('#stock-table tr[data-product-id="${ITEM.product.id}"] td[data-col="mysql"]')?.textContent === '0'`,
      undefined,
      WAIT,
    );
    // The verdict comes from the ledger job (LEDGER_INTERVAL_MS 2 s here). Clean or not is the ledger's own
    // business (its suites test it); the page must show the job's verdict, not a placeholder.
    await dashboard.waitForFunction(`document.querySelector('#ledger-verdict')?.dataset.source === 'ledger'`, undefined, WAIT);
    const verdict = await dashboard.locator('#ledger-verdict').getAttribute('data-verdict');
    assert.ok(verdict === 'CLEAN' || verdict === 'BREACH', `verdict ${verdict}`);
    assert.match((await dashboard.locator('#breakers').textContent()) ?? '', /closed/);
    assert.ok(Number(await dashboard.locator('#refused-total').textContent()) >= 1, 'the limit refusal is counted');
    await screenshot(dashboard, 'dashboard');
  });

  it('the operator replays a dead letter from the dashboard', async () => {
    const [row] = await tdb.current.db
      .insert(deadLetters)
      .values({
        // A topic nothing consumes: the replayed copy is not re-read as poison by later runs.
        topic: 'it-browser-replay', consumerGroup: 'GID_it_browser_replay', messageId: `browser-${Date.now()}`, msgKey: 'planted-order',
        body: Buffer.from('not an OrderCreated'), properties: {}, reason: 'planted by the browser test', attempts: 3, createdAt: new Date(),
      })
      .$returningId();
    const id = String(row!.id);
    const replay = dashboard.locator(`[data-testid="replay-${id}"]`);
    await replay.waitFor(WAIT);
    assert.ok(Number(await dashboard.locator('#dlq-count').textContent()) >= 1);
    await replay.click();
    await dashboard.waitForFunction(`/replayed as message/.test(document.querySelector('#replay-result')?.textContent ?? '')`, undefined, WAIT);
    assert.match((await dashboard.locator('#replay-result').textContent()) ?? '', new RegExp(`Dead letter ${id} replayed`));
    // Replayed letters leave the open list.
    await replay.waitFor({ state: 'detached', timeout: 60_000 });
  });
});
