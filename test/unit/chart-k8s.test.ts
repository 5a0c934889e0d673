// k8s/ holds the chart rendered with its defaults for people who don't use Helm: it must be current and valid.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appDeployments, helm, parseManifest, ROOT, validateObject, type K8sObject } from './chart-harness';

describe('chart: k8s/ manifests', function () {
  this.timeout(30 * 60_000);

  let objects: K8sObject[];
  before(() => {
    helm();
    const dir = join(ROOT, 'k8s');
    objects = readdirSync(dir)
      .filter(f => f.endsWith('.yaml'))
      .sort()
      .flatMap(f => parseManifest(readFileSync(join(dir, f), 'utf8')));
  });

  it('match a fresh render of the chart (`make k8s`)', () => {
    const r = spawnSync('bash', [join(ROOT, 'scripts', 'render-k8s.sh'), '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('are valid Kubernetes objects, the Namespace first', () => {
    assert.equal(objects[0]?.kind, 'Namespace');
    for (const o of objects) validateObject(o);
    // 8 gRPC services + ledger, cdc and the HTTP gateway.
    assert.equal(appDeployments(objects).length, 11);
  });

  it('commit no Secret: the services reference Secrets created by hand', () => {
    assert.ok(!objects.some(o => o.kind === 'Secret'));
  });
});
