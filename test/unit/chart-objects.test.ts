// Every object rendered from every value set is valid against the Kubernetes schemas (offline, kubernetes-models),
// carries the recommended labels, and follows the chart conventions (no namespace, pinned images, unique names).
import { strict as assert } from 'node:assert';
import { appDeployments, deployments, helm, podSpec, RELEASE, renderSet, setName, validateObject, VALUE_SETS, type K8sObject } from './chart-harness';

const DNS_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('chart: rendered objects', function () {
  this.timeout(30 * 60_000);

  before(() => {
    helm();
  });

  for (const file of VALUE_SETS) {
    describe(setName(file), () => {
      let objects: K8sObject[];
      before(() => {
        objects = renderSet(file);
      });

      it('renders Deployments, Services and the shared ConfigMap', () => {
        const kinds = new Set(objects.map(o => o.kind));
        for (const k of ['Deployment', 'Service', 'ConfigMap', 'ServiceAccount']) assert.ok(kinds.has(k), `no ${k}`);
      });

      it('every object is valid against its Kubernetes schema', () => {
        for (const o of objects) validateObject(o);
      });

      it('names are DNS-1123 labels, at most 63 characters, unique per kind', () => {
        const seen = new Set<string>();
        for (const o of objects) {
          const name = o.metadata.name;
          assert.ok(DNS_1123.test(name) && name.length <= 63, `${o.kind} name ${name}`);
          const key = `${o.kind}/${name}`;
          assert.ok(!seen.has(key), `duplicate ${key}`);
          seen.add(key);
        }
      });

      it('no object sets metadata.namespace (the release namespace applies)', () => {
        for (const o of objects) assert.equal(o.metadata.namespace, undefined, `${o.kind} ${o.metadata.name}`);
      });

      it('every object carries the recommended labels', () => {
        for (const o of objects) {
          const l = o.metadata.labels ?? {};
          const what = `${o.kind} ${o.metadata.name}`;
          assert.equal(l['app.kubernetes.io/name'], 'boutique-seckill', what);
          assert.equal(l['app.kubernetes.io/instance'], RELEASE, what);
          assert.equal(l['app.kubernetes.io/managed-by'], 'Helm', what);
          assert.match(l['helm.sh/chart'] ?? '', /^boutique-seckill-\d+\.\d+\.\d+/, what);
          assert.ok(l['app.kubernetes.io/version'], `${what}: no version label`);
        }
      });

      it('every Deployment of a service has its component label', () => {
        for (const d of appDeployments(objects)) assert.ok(d.metadata?.labels?.['app.kubernetes.io/component'], d.metadata?.name);
      });

      it('images are pinned to a tag or digest, never latest', () => {
        for (const d of deployments(objects)) {
          for (const c of podSpec(d).containers) {
            assert.match(c.image ?? '', /(:[\w][\w.-]*|@sha256:[a-f0-9]{64})$/, `${d.metadata?.name}: ${c.image}`);
            assert.doesNotMatch(c.image ?? '', /:latest$/, `${d.metadata?.name}: ${c.image}`);
          }
        }
      });
    });
  }
});
