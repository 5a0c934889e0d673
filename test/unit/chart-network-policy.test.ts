// NetworkPolicies as promised: each service accepts gRPC only from the services that call it (plus the configured
// frontend peers where it faces outside callers) and metrics only from the metrics peers; it may send only DNS,
// calls to its peers, its own stores and OTLP.
import { strict as assert } from 'node:assert';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import {
  appDeployments,
  component,
  configMaps,
  deployments,
  env,
  helm,
  loadValues,
  mainContainer,
  networkPolicies,
  podSpec,
  render,
  renderSet,
  selects,
  servingPort,
  SERVICES,
  setName,
  valueAt,
  VALUE_SETS,
  type K8sObject,
  type ServiceName,
} from './chart-harness';

const serviceOf = (d: IDeployment) => mainContainer(d).args?.[0] as ServiceName;
const podLabels = (d: IDeployment) => d.spec?.template.metadata?.labels;
const addrKey = (s: ServiceName) => `${s === 'productcatalog' ? 'PRODUCT_CATALOG' : s.toUpperCase()}_SERVICE_ADDR`;
const portsOf = (rule: { ports?: { port?: number | string; protocol?: string }[] }) => (rule.ports ?? []).map(p => p.port);

/** Sets with NetworkPolicies on. */
const NP_SETS = VALUE_SETS.filter(f => valueAt<boolean>(loadValues(f), 'networkPolicy.enabled'));

describe('chart: NetworkPolicies', function () {
  this.timeout(30 * 60_000);

  before(() => {
    helm();
  });

  it('are rendered by at least three value sets', () => {
    assert.ok(NP_SETS.length >= 3, NP_SETS.join(', '));
  });

  it('are off by default', () => {
    assert.equal(networkPolicies(render()).length, 0);
  });

  for (const file of NP_SETS) {
    describe(setName(file), () => {
      const values = loadValues(file);
      let objects: K8sObject[];
      let apps: IDeployment[];
      let policyOf: (d: IDeployment) => INetworkPolicy;
      before(() => {
        objects = renderSet(file);
        apps = appDeployments(objects);
        policyOf = d => {
          const matching = networkPolicies(objects).filter(np => selects(np.spec?.podSelector.matchLabels, podLabels(d)));
          assert.equal(matching.length, 1, `${d.metadata?.name}: ${matching.length} NetworkPolicies select its pods`);
          return matching[0]!;
        };
      });

      it('every pod of the release is selected by exactly one NetworkPolicy restricting ingress and egress', () => {
        for (const d of deployments(objects)) {
          assert.deepEqual([...(policyOf(d).spec?.policyTypes ?? [])].sort(), ['Egress', 'Ingress']);
        }
      });

      it('no rule allows everything: each ingress rule names its sources and ports', () => {
        for (const np of networkPolicies(objects)) {
          for (const rule of np.spec?.ingress ?? []) {
            assert.ok(rule.from && rule.from.length > 0, `${np.metadata?.name}: ingress from anywhere`);
            assert.ok(rule.ports && rule.ports.length > 0, `${np.metadata?.name}: ingress on any port`);
          }
          for (const rule of np.spec?.egress ?? []) {
            assert.ok(rule.ports && rule.ports.length > 0, `${np.metadata?.name}: egress on any port`);
          }
        }
      });

      it('gRPC ingress comes only from the services that call it (workers pods receive none)', () => {
        const frontendPeers = valueAt<INetworkPolicyPeer[]>(values, 'networkPolicy.frontendPeers');
        for (const d of apps) {
          const svc = serviceOf(d);
          const grpcPort = SERVICES[svc] && servingPort(mainContainer(d));
          const workers = component(d).endsWith('-workers');
          const rules = (policyOf(d).spec?.ingress ?? []).filter(r => portsOf(r).includes(grpcPort));
          const podPeers = rules.flatMap(r => r.from ?? []).filter(p => p.podSelector && !p.namespaceSelector);
          const allowedComponents = podPeers
            .filter(p => !frontendPeers.some(f => JSON.stringify(f) === JSON.stringify(p)))
            .map(p => p.podSelector?.matchLabels?.['app.kubernetes.io/component']);
          const expected = workers ? [] : apps.filter(c => (SERVICES[serviceOf(c)].peers as readonly string[]).includes(svc)).map(component);
          assert.deepEqual(allowedComponents.sort(), expected.sort(), `${d.metadata?.name} callers`);

          const facesFrontend = valueAt<boolean>(values, `networkPolicy.frontendServices.${svc}`) === true && !workers;
          const frontendRule = rules.some(r => JSON.stringify(r.from) === JSON.stringify(frontendPeers));
          assert.equal(frontendRule, facesFrontend && frontendPeers.length > 0, `${d.metadata?.name} frontend ingress`);
        }
      });

      it('caller pod selectors match the callers\' pods', () => {
        for (const d of apps) {
          for (const rule of policyOf(d).spec?.ingress ?? []) {
            for (const peer of rule.from ?? []) {
              if (!peer.podSelector || peer.namespaceSelector) continue;
              const labels = peer.podSelector.matchLabels;
              if (labels?.['app.kubernetes.io/component'] === undefined) continue; // a frontend peer
              assert.ok(apps.some(c => selects(labels, podLabels(c))), `${d.metadata?.name}: peer ${JSON.stringify(labels)} selects no pod`);
            }
          }
        }
      });

      it('metrics ingress only from the metrics peers and the gateway (its dashboard scrapes every process)', () => {
        const metricsPort = valueAt<number>(values, 'metrics.port');
        const metricsPeers = valueAt<INetworkPolicyPeer[]>(values, 'networkPolicy.metricsPeers');
        const gateway = apps.find(c => component(c) === 'gateway');
        for (const d of apps) {
          const rules = (policyOf(d).spec?.ingress ?? []).filter(r => portsOf(r).includes(metricsPort));
          const fromGateway = rules.filter(r => r.from?.length === 1 && gateway && selects(r.from[0]?.podSelector?.matchLabels, podLabels(gateway)));
          assert.equal(fromGateway.length, gateway && d !== gateway ? 1 : 0, `${d.metadata?.name}: metrics from the gateway`);
          for (const r of rules.filter(x => !fromGateway.includes(x))) assert.deepEqual(r.from, metricsPeers, d.metadata?.name);
        }
      });

      it('egress: DNS, the peers it calls, its own stores and OTLP — nothing else', () => {
        const cm = configMaps(objects)[0]?.data ?? {};
        const egress = (path: string) => valueAt<number[]>(values, `networkPolicy.egress.${path}`);
        const devRedis = valueAt<boolean>(values, 'devInfra.redis.enabled');
        const devMariadb = valueAt<boolean>(values, 'devInfra.mariadb.enabled');
        for (const d of apps) {
          const svc = serviceOf(d);
          const spec = SERVICES[svc];
          const allowed = new Set<unknown>([53]);
          for (const peer of spec.peers) allowed.add(Number(/:(\d+)$/.exec(cm[addrKey(peer)] ?? '')?.[1]));
          const infra: readonly string[] = spec.infra;
          if (infra.includes('redis')) for (const p of devRedis ? [6379] : egress('redisPorts')) allowed.add(p);
          if (infra.includes('mysql')) for (const p of devMariadb ? [3306] : egress('mysqlPorts')) allowed.add(p);
          if (infra.includes('rocketmq')) for (const p of egress('rocketmqPorts')) allowed.add(p);
          if (env(mainContainer(d), 'OTEL_EXPORTER_OTLP_ENDPOINT')) for (const p of egress('otlpPorts')) allowed.add(p);
          if (svc === 'gateway') allowed.add(valueAt<number>(values, 'metrics.port'));

          const rules = policyOf(d).spec?.egress ?? [];
          const used = new Set(rules.flatMap(portsOf));
          assert.deepEqual([...used].sort(), [...allowed].sort(), `${d.metadata?.name} egress ports`);
          const dns = rules.find(r => portsOf(r).includes(53));
          assert.deepEqual(dns?.ports?.map(p => p.protocol).sort(), ['TCP', 'UDP'], 'DNS over UDP and TCP');
          // In-release peers are reached by pod selector, not by "any destination on that port".
          for (const peer of spec.peers) {
            const peerDeployment = apps.find(p => component(p) === peer);
            if (!peerDeployment) continue;
            const rule = rules.find(r => r.to?.some(t => selects(t.podSelector?.matchLabels, podLabels(peerDeployment))));
            assert.ok(rule, `${d.metadata?.name} → ${peer} by pod selector`);
            assert.deepEqual(portsOf(rule), [servingPort(mainContainer(peerDeployment))]);
          }
        }
      });

      it('in-chart stores accept only this release\'s pods and send nothing', () => {
        for (const d of deployments(objects).filter(x => component(x).startsWith('dev-'))) {
          const np = policyOf(d);
          assert.deepEqual(np.spec?.egress, []);
          const port = podSpec(d).containers[0]?.ports?.[0]?.containerPort;
          assert.deepEqual(
            np.spec?.ingress?.map(r => [r.from?.map(f => f.podSelector?.matchLabels?.['app.kubernetes.io/instance']), portsOf(r)]),
            [[['shop'], [port]]],
          );
        }
      });
    });
  }

  it('allowExternalEgress opens egress for every service', () => {
    const objects = render({ set: { 'networkPolicy.enabled': 'true', 'networkPolicy.allowExternalEgress': 'true' } });
    for (const np of networkPolicies(objects)) assert.deepEqual(np.spec?.egress, [{}], np.metadata?.name);
  });
});
