// How the objects fit together: selectors pick exactly their pods, Service targetPorts are container ports,
// HPAs own replicas, workers scale apart from the hot path, and disabled services are reached by address.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IContainerPort } from 'kubernetes-models/v1/ContainerPort';
import {
  appDeployments,
  CHART,
  component,
  configMaps,
  deployments,
  env,
  helm,
  hpas,
  mainContainer,
  pdbs,
  podSpec,
  render,
  renderSet,
  selects,
  serviceMonitors,
  services,
  SERVICE_NAMES,
  setName,
  VALUE_SETS,
  type K8sObject,
} from './chart-harness';

const ciSet = (name: string) => join(CHART, 'ci', `${name}-values.yaml`);
const podLabels = (d: IDeployment) => d.spec?.template.metadata?.labels;

describe('chart: selectors and ports', function () {
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

      it('each Deployment selects its own pod template and no other Deployment\'s pods', () => {
        const all = deployments(objects);
        for (const d of all) {
          const sel = d.spec?.selector.matchLabels;
          assert.ok(selects(sel, podLabels(d)), `${d.metadata?.name}: selector does not match its pods`);
          for (const other of all.filter(o => o !== d)) {
            assert.ok(!selects(sel, podLabels(other)), `${d.metadata?.name} also selects ${other.metadata?.name}'s pods`);
          }
          assert.equal(sel?.['app.kubernetes.io/version'], undefined, 'selectors never use the version');
        }
      });

      it('each Service selects the pods of exactly one Deployment, and every targetPort is a port of that container', () => {
        for (const s of services(objects)) {
          const matched = deployments(objects).filter(d => selects(s.spec?.selector, podLabels(d)));
          assert.equal(matched.length, 1, `Service ${s.metadata?.name} selects ${matched.length} Deployments`);
          const ports: IContainerPort[] = podSpec(matched[0]!).containers.flatMap(c => c.ports ?? []);
          for (const p of s.spec?.ports ?? []) {
            const target = p.targetPort ?? p.port;
            const hit = ports.find(cp => (typeof target === 'number' ? cp.containerPort === target : cp.name === target));
            assert.ok(hit, `Service ${s.metadata?.name} port ${p.name} → ${target}: no such container port`);
            if (p.name === 'grpc') assert.equal(hit.containerPort, p.port, 'the gRPC Service port equals the container port');
          }
        }
      });

      it('each PodDisruptionBudget selects the pods of exactly one Deployment', () => {
        for (const pdb of pdbs(objects)) {
          const matched = deployments(objects).filter(d => selects(pdb.spec?.selector?.matchLabels, podLabels(d)));
          assert.equal(matched.length, 1, `PDB ${pdb.metadata?.name}`);
        }
      });

      it('each HorizontalPodAutoscaler targets a rendered Deployment that leaves replicas to it', () => {
        for (const h of hpas(objects)) {
          const target = deployments(objects).find(d => d.metadata?.name === h.spec?.scaleTargetRef.name);
          assert.ok(target, `HPA ${h.metadata?.name} targets a missing Deployment`);
          assert.equal(h.spec?.scaleTargetRef.kind, 'Deployment');
          assert.equal(target.spec?.replicas, undefined, `${target.metadata?.name} sets replicas although autoscaled`);
          assert.ok((h.spec?.minReplicas ?? 1) <= h.spec!.maxReplicas);
        }
        const autoscaled = new Set(hpas(objects).map(h => h.spec?.scaleTargetRef.name));
        for (const d of appDeployments(objects).filter(x => !autoscaled.has(x.metadata?.name))) {
          assert.equal(typeof d.spec?.replicas, 'number', `${d.metadata?.name} has neither replicas nor an HPA`);
        }
      });

      it('the ServiceMonitor (when rendered) scrapes /metrics of every app Service', () => {
        for (const sm of serviceMonitors(objects)) {
          const sel = sm.spec.selector;
          const values = sel.matchExpressions?.find(e => e.key === 'app.kubernetes.io/component')?.values ?? [];
          const scraped = services(objects).filter(s => selects(sel.matchLabels, s.metadata?.labels) && values.includes(component(s)));
          const withMetrics = services(objects).filter(s => s.spec?.ports?.some(p => p.name === 'metrics'));
          assert.deepEqual(scraped.map(s => s.metadata?.name).sort(), withMetrics.map(s => s.metadata?.name).sort());
          assert.deepEqual(sm.spec.endpoints.map(e => [e.port, e.path]), [['metrics', '/metrics']]);
        }
      });
    });
  }
});

describe('chart: value sets', function () {
  this.timeout(30 * 60_000);

  before(() => {
    helm();
  });

  it('defaults: every service runs, workers stay in the service pods, no HPA, NetworkPolicy or ServiceMonitor', () => {
    const objects = render();
    assert.deepEqual(appDeployments(objects).map(component).sort(), [...SERVICE_NAMES].sort());
    for (const d of appDeployments(objects)) assert.equal(env(mainContainer(d), 'WORKERS_ENABLED'), undefined);
    const kinds = new Set(objects.map(o => o.kind));
    for (const k of ['HorizontalPodAutoscaler', 'NetworkPolicy', 'ServiceMonitor']) assert.ok(!kinds.has(k), k);
    assert.equal(pdbs(objects).length, SERVICE_NAMES.length);
  });

  it('workers: a separate Deployment per service with WORKERS_ENABLED split, no Service traffic to it', () => {
    const objects = renderSet(ciSet('hpa'));
    const byComponent = new Map(appDeployments(objects).map(d => [component(d), d]));
    for (const svc of ['productcatalog', 'order']) {
      const hot = byComponent.get(svc);
      const workers = byComponent.get(`${svc}-workers`);
      assert.ok(hot && workers, `${svc} and ${svc}-workers Deployments`);
      assert.equal(env(mainContainer(hot), 'WORKERS_ENABLED')?.value, 'false');
      assert.equal(env(mainContainer(workers), 'WORKERS_ENABLED')?.value, 'true');
      assert.deepEqual(mainContainer(workers).args, [svc]);
      const grpcServices = services(objects).filter(s => s.spec?.ports?.some(p => p.name === 'grpc'));
      assert.ok(!grpcServices.some(s => selects(s.spec?.selector, podLabels(workers))), `${svc}-workers pods get gRPC traffic`);
    }
    assert.equal(byComponent.get('productcatalog-workers')?.spec?.replicas, 2);
    assert.equal(byComponent.get('order-workers')?.spec?.replicas, undefined, 'order-workers is autoscaled');
    assert.equal(byComponent.get('checkout')?.spec?.replicas, undefined, 'checkout is autoscaled');
  });

  it('replicas follow <svc>.replicas when autoscaling is off', () => {
    const objects = render({ set: { 'cart.replicas': '3', 'productcatalogWorkers.enabled': 'true', 'productcatalogWorkers.replicas': '4' } });
    const byComponent = new Map(appDeployments(objects).map(d => [component(d), d]));
    assert.equal(byComponent.get('cart')?.spec?.replicas, 3);
    assert.equal(byComponent.get('productcatalog-workers')?.spec?.replicas, 4);
    assert.equal(byComponent.get('productcatalog')?.spec?.replicas, 2);
  });

  it('upstream services: disabled ones render nothing and are reached at their addresses; names follow serviceName', () => {
    const objects = renderSet(ciSet('external-upstream'));
    assert.deepEqual(appDeployments(objects).map(component).sort(), ['checkout', 'ledger', 'order', 'productcatalog']);
    const cm = configMaps(objects)[0]?.data ?? {};
    assert.equal(cm['CART_SERVICE_ADDR'], 'cartservice:7070');
    assert.equal(cm['SHIPPING_SERVICE_ADDR'], 'shippingservice:50051');
    assert.equal(cm['EMAIL_SERVICE_ADDR'], 'emailservice:5000');
    assert.equal(cm['PRODUCT_CATALOG_SERVICE_ADDR'], 'productcatalogservice:3550');
    assert.ok(services(objects).some(s => s.metadata?.name === 'checkoutservice'));
    // Existing Secrets are referenced, not created.
    assert.ok(!objects.some(o => o.kind === 'Secret'), 'no Secret is created when all are existing');
    const order = appDeployments(objects).find(d => component(d) === 'order')!;
    assert.deepEqual(env(mainContainer(order), 'MYSQL_URL')?.valueFrom?.secretKeyRef, { name: 'shop-mysql', key: 'url' });
    assert.deepEqual(env(mainContainer(order), 'ADMIN_TOKEN')?.valueFrom?.secretKeyRef, { name: 'shop-admin', key: 'admin-token' });
  });

  it('dev infra: in-chart Redis and MariaDB, with the chart Secret pointing the services at them', () => {
    const objects = renderSet(ciSet('dev-infra'));
    const infra = deployments(objects).filter(d => component(d).startsWith('dev-')).map(component).sort();
    assert.deepEqual(infra, ['dev-mariadb', 'dev-redis']);
    const secret = objects.find(o => o.kind === 'Secret' && o.metadata.name.endsWith('-infra')) as { data?: Record<string, string> } | undefined;
    const decoded = (k: string) => Buffer.from(secret?.data?.[k] ?? '', 'base64').toString('utf8');
    assert.equal(decoded('redis-url'), 'redis://shop-boutique-seckill-redis:6379');
    assert.equal(decoded('mysql-url'), 'mysql://shop:dev-only-password@shop-boutique-seckill-mariadb:3306/shop');
    for (const d of deployments(objects).filter(x => component(x).startsWith('dev-'))) {
      assert.equal(podSpec(d).securityContext?.runAsNonRoot, true, d.metadata?.name);
      assert.equal(mainContainer(d).securityContext?.readOnlyRootFilesystem, true, d.metadata?.name);
    }
  });

  it('the admin token is generated when not given, and is not rendered into env', () => {
    const objects = render();
    const secret = objects.find(o => o.kind === 'Secret' && o.metadata.name.endsWith('-admin')) as { data?: Record<string, string> } | undefined;
    assert.ok(Buffer.from(secret?.data?.['admin-token'] ?? '', 'base64').toString('utf8').length >= 32);
  });

  it('Redis Cluster: REDIS_CLUSTER_NODES is shared and no REDIS_URL is passed', () => {
    const objects = render({ set: { 'redis.clusterNodes': 'r-0:6379\\,r-1:6379\\,r-2:6379' } });
    assert.equal(configMaps(objects)[0]?.data?.['REDIS_CLUSTER_NODES'], 'r-0:6379,r-1:6379,r-2:6379');
    for (const d of appDeployments(objects)) assert.equal(env(mainContainer(d), 'REDIS_URL'), undefined);
  });

  it('a config change rolls the pods (checksum annotation)', () => {
    const a = appDeployments(render())[0]!;
    const b = appDeployments(render({ set: { 'config.logLevel': 'debug' } }))[0]!;
    const sum = (d: IDeployment) => d.spec?.template.metadata?.annotations?.['checksum/config'];
    assert.ok(sum(a));
    assert.notEqual(sum(a), sum(b));
  });
});
