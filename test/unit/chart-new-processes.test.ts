// The processes added beside the gRPC services: the HTTP gateway (Service, optional Ingress, session Secret,
// dashboard scrape targets), the ledger (one replica) and the cdc binlog worker (exactly one pod, Recreate).
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import {
  appDeployments,
  CHART,
  component,
  env,
  helm,
  hpas,
  ingresses,
  mainContainer,
  networkPolicies,
  render,
  renderSet,
  selects,
  services,
  template,
  validateObject,
  type K8sObject,
} from './chart-harness';

const byComponent = (objects: readonly K8sObject[], name: string): IDeployment => {
  const d = appDeployments(objects).find(x => component(x) === name);
  assert.ok(d, `no ${name} Deployment`);
  return d;
};
const secretData = (objects: readonly K8sObject[], suffix: string) =>
  (objects.find(o => o.kind === 'Secret' && o.metadata.name.endsWith(suffix)) as { data?: Record<string, string> } | undefined)?.data;
const decode = (b64: string | undefined) => Buffer.from(b64 ?? '', 'base64').toString('utf8');

describe('chart: gateway, ledger and cdc', function () {
  this.timeout(30 * 60_000);

  before(() => {
    helm();
  });

  it('render by default with probes, resources and the hardened security context, each object schema-valid', () => {
    const objects = render();
    for (const o of objects) validateObject(o);
    for (const name of ['gateway', 'ledger', 'cdc']) {
      const c = mainContainer(byComponent(objects, name));
      assert.deepEqual(c.args, [name]);
      assert.ok(c.startupProbe && c.livenessProbe && c.readinessProbe, `${name} probes`);
      assert.ok(c.resources?.requests?.cpu && c.resources.limits?.memory, `${name} resources`);
      assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
      assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL']);
    }
    assert.equal(env(mainContainer(byComponent(objects, 'ledger')), 'LEDGER_PORT')?.value, '5070');
    assert.equal(env(mainContainer(byComponent(objects, 'cdc')), 'CDC_PORT')?.value, '5072');
    assert.equal(env(mainContainer(byComponent(objects, 'gateway')), 'GATEWAY_PORT')?.value, '8080');
    assert.equal(ingresses(objects).length, 0, 'no Ingress by default');
  });

  it('ledger and cdc answer native gRPC health; the cdc runs one pod with Recreate rollouts and all roles', () => {
    const objects = render();
    for (const name of ['ledger', 'cdc']) {
      const c = mainContainer(byComponent(objects, name));
      assert.equal(c.readinessProbe?.grpc?.service, 'readiness');
      assert.equal(c.livenessProbe?.grpc?.service, 'liveness');
    }
    const cdc = byComponent(objects, 'cdc');
    assert.equal(cdc.spec?.replicas, 1);
    assert.equal(cdc.spec?.strategy?.type, 'Recreate');
    assert.equal(env(mainContainer(cdc), 'CDC_ROLES'), undefined, 'the app default: reader,products,orders');
    assert.equal(byComponent(objects, 'ledger').spec?.replicas, 1);
    assert.equal(byComponent(objects, 'gateway').spec?.strategy?.type, 'RollingUpdate');
  });

  it('the cdc cannot be scaled past one pod nor autoscaled', () => {
    assert.notEqual(template({ set: { 'cdc.replicas': '2' } }).status, 0, 'cdc.replicas=2 accepted');
    const hpa = template({ set: { 'cdc.autoscaling.enabled': 'true' } });
    assert.notEqual(hpa.status, 0, 'cdc autoscaling accepted');
    assert.equal(hpas(render({ set: { 'gateway.autoscaling.enabled': 'true' } })).length, 1, 'the gateway may autoscale');
  });

  it('the ledger skips the binlog reconciliation stage only when no cdc runs', () => {
    const ledgerEnv = (objects: readonly K8sObject[]) => env(mainContainer(byComponent(objects, 'ledger')), 'RECONCILE_BINLOG_STAGE');
    assert.equal(ledgerEnv(render()), undefined);
    assert.equal(ledgerEnv(render({ set: { 'cdc.enabled': 'false' } }))?.value, 'false');
  });

  it('gateway: an HTTP Service, the session key from a generated Secret, admin token, dashboard targets on every metrics Service', () => {
    const objects = render();
    const gw = byComponent(objects, 'gateway');
    const svc = services(objects).find(s => s.metadata?.name === 'shop-boutique-seckill-gateway');
    assert.ok(svc && selects(svc.spec?.selector, gw.spec?.template.metadata?.labels));
    assert.deepEqual(svc.spec?.ports?.map(p => [p.name, p.port, p.targetPort, p.appProtocol]), [
      ['http', 8080, 'http', 'http'],
      ['metrics', 9464, 'metrics', undefined],
    ]);
    const c = mainContainer(gw);
    assert.deepEqual(env(c, 'GATEWAY_SESSION_SECRET')?.valueFrom?.secretKeyRef, { name: 'shop-boutique-seckill-gateway', key: 'session-secret' });
    assert.ok(decode(secretData(objects, '-gateway')?.['session-secret']).length >= 32, 'generated session key ≥ 32 characters');
    assert.ok(env(c, 'ADMIN_TOKEN')?.valueFrom?.secretKeyRef);
    assert.equal(env(c, 'GATEWAY_HMAC_SECRET'), undefined, 'signing off by default');
    assert.equal(env(c, 'GATEWAY_TRUST_PROXY')?.value, 'false');
    const targets = (env(c, 'DASHBOARD_METRICS_TARGETS')?.value ?? '').split(',');
    const metricsServices = services(objects).filter(s => s.spec?.ports?.some(p => p.name === 'metrics')).map(s => `${s.metadata?.name}:9464`);
    assert.deepEqual([...targets].sort(), [...metricsServices].sort());
  });

  it('gateway: a given session key must be at least 32 characters', () => {
    assert.notEqual(template({ set: { 'gateway.sessionSecret.value': 'too-short' } }).status, 0);
    const key = 'k'.repeat(40);
    assert.equal(decode(secretData(render({ set: { 'gateway.sessionSecret.value': key } }), '-gateway')?.['session-secret']), key);
  });

  it('gateway behind an Ingress: host rules to the http port, TLS, existing secrets referenced, frontend NetworkPolicy', () => {
    const objects = renderSet(join(CHART, 'ci', 'gateway-ingress-values.yaml'));
    for (const o of objects) validateObject(o);
    const [ing, ...more] = ingresses(objects);
    assert.ok(ing && more.length === 0, 'one Ingress');
    assert.equal(ing.spec?.ingressClassName, 'nginx');
    assert.equal(ing.spec?.rules?.[0]?.host, 'sale.example.com');
    assert.deepEqual(ing.spec?.rules?.[0]?.http?.paths[0]?.backend.service, { name: 'shop-boutique-seckill-gateway', port: { name: 'http' } });
    assert.equal(ing.spec?.tls?.[0]?.secretName, 'sale-example-com-tls');
    assert.ok(!secretData(objects, '-gateway'), 'no gateway Secret is generated when an existing one is named');
    const c = mainContainer(byComponent(objects, 'gateway'));
    assert.deepEqual(env(c, 'GATEWAY_SESSION_SECRET')?.valueFrom?.secretKeyRef, { name: 'shop-gateway', key: 'session-secret' });
    assert.deepEqual(env(c, 'GATEWAY_HMAC_SECRET')?.valueFrom?.secretKeyRef, { name: 'shop-gateway', key: 'hmac' });
    assert.equal(env(c, 'GATEWAY_TRUST_PROXY')?.value, '1');
    const np = networkPolicies(objects).find(p => p.metadata?.name === 'shop-boutique-seckill-gateway');
    const fromIngressController = np?.spec?.ingress?.some(r =>
      r.from?.some(f => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'ingress-nginx') && r.ports?.some(p => p.port === 8080),
    );
    assert.ok(fromIngressController, 'the ingress controller reaches the gateway port');
  });

  it('an Ingress without hosts routes any host', () => {
    const objects = render({ set: { 'gateway.ingress.enabled': 'true' } });
    for (const o of objects) validateObject(o);
    const rule = ingresses(objects)[0]?.spec?.rules?.[0];
    assert.equal(rule?.host, undefined);
    assert.equal(rule?.http?.paths[0]?.backend.service?.port?.name, 'http');
  });

  it('dev MariaDB has a row-based binlog and grants the shop user the cdc reader\'s replication privileges', () => {
    const objects = renderSet(join(CHART, 'ci', 'dev-infra-values.yaml'));
    const mariadb = appDeployments(objects).length > 0 ? objects.find(o => o.kind === 'Deployment' && component(o as IDeployment) === 'dev-mariadb') : undefined;
    const args = (mariadb as IDeployment | undefined)?.spec?.template.spec?.containers[0]?.args ?? [];
    for (const a of ['--log-bin=mariadb-bin', '--binlog-format=ROW', '--binlog-row-image=FULL', '--server-id=1']) assert.ok(args.includes(a), a);
    const init = objects.find(o => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-mariadb-init')) as { data?: Record<string, string> } | undefined;
    assert.match(init?.data?.['10-replication.sql'] ?? '', /GRANT REPLICATION SLAVE, REPLICATION CLIENT ON \*\.\* TO 'shop'@'%'/);
  });
});
