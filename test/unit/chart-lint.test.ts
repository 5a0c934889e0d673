// helm lint --strict for every value set, and values.schema.json / template guards refusing bad values.
import { strict as assert } from 'node:assert';
import { helm, lint, setName, template, VALUE_SETS } from './chart-harness';

describe('chart: helm lint --strict (Kubernetes 1.29)', function () {
  this.timeout(30 * 60_000); // the first call may build helm

  before(() => {
    helm();
  });

  it('has value sets to check', () => {
    assert.ok(VALUE_SETS.length >= 6, `found only ${VALUE_SETS.join(', ')}`);
  });

  for (const file of VALUE_SETS) {
    it(`passes for ${setName(file)}`, () => {
      const r = lint({ valueFiles: [file] });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });
  }
});

describe('chart: values that must be refused', function () {
  this.timeout(30 * 60_000);

  /** helm template must fail and say why. */
  function refuses(set: Record<string, string>, why: RegExp): void {
    const r = template({ set });
    assert.notEqual(r.status, 0, `rendered although ${JSON.stringify(set)} is invalid`);
    assert.match(r.stderr, why);
  }

  it('an unknown key (a typo) is refused by values.schema.json', () => {
    refuses({ 'checkout.replcas': '3' }, /replcas/);
  });

  it('a service without a memory limit is refused', () => {
    refuses({ 'order.resources.limits.memory': 'null' }, /memory/);
  });

  it('a memory limit in an unsupported unit is refused', () => {
    refuses({ 'order.resources.limits.memory': '0.5Gi' }, /memory/);
  });

  it('the "latest" image tag is refused', () => {
    refuses({ 'image.tag': 'latest' }, /image|tag/);
  });

  it('an address that is not host:port is refused', () => {
    refuses({ 'cart.enabled': 'false', 'cart.address': 'cartservice' }, /address/);
  });

  it('a disabled service that another service calls needs an address', () => {
    refuses({ 'payment.enabled': 'false' }, /set payment\.address/);
  });

  it('workers cannot run without their service', () => {
    refuses({ 'order.enabled': 'false', 'order.address': 'orders:5060', 'orderWorkers.enabled': 'true' }, /orderWorkers\.enabled/);
  });
});
