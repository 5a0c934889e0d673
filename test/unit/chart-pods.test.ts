// The pod promises of the chart, for every value set: native gRPC probes on the app's health names, the security
// context, the heap sized from the memory limit, the drain timing, secrets only where used, and the OTLP/metrics env.
import { strict as assert } from 'node:assert';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import {
  appDeployments,
  configMaps,
  env,
  helm,
  mainContainer,
  memoryMiB,
  podSpec,
  renderSet,
  HTTP_SERVICES,
  servingPort,
  SERVICES,
  setName,
  VALUE_SETS,
  type ServiceName,
} from './chart-harness';

function serviceOf(d: IDeployment): ServiceName {
  const name = mainContainer(d).args?.[0];
  assert.ok(name && name in SERVICES, `${d.metadata?.name}: container args ${JSON.stringify(mainContainer(d).args)}`);
  return name as ServiceName;
}

describe('chart: pods', function () {
  this.timeout(30 * 60_000);

  before(() => {
    helm();
  });

  for (const file of VALUE_SETS) {
    describe(setName(file), () => {
      let apps: IDeployment[];
      let shared: Record<string, string>;
      before(() => {
        const objects = renderSet(file);
        apps = appDeployments(objects);
        assert.ok(apps.length > 0, 'no app Deployments');
        shared = configMaps(objects)[0]?.data ?? {};
      });

      it('each container runs one service through the image entrypoint', () => {
        for (const d of apps) {
          const c = mainContainer(d);
          assert.equal(c.command, undefined, `${d.metadata?.name} overrides the entrypoint`);
          assert.equal(c.args?.length, 1);
          serviceOf(d);
        }
      });

      it('startup, liveness and readiness are native gRPC probes on the numeric gRPC port', () => {
        for (const d of apps.filter(x => !HTTP_SERVICES.has(serviceOf(x)))) {
          const c = mainContainer(d);
          const grpcPort = c.ports?.find(p => p.name === 'grpc')?.containerPort;
          assert.equal(typeof grpcPort, 'number', `${d.metadata?.name}: no grpc port`);
          const expect = { startupProbe: 'liveness', livenessProbe: 'liveness', readinessProbe: 'readiness' } as const;
          for (const [probe, service] of Object.entries(expect)) {
            const p = c[probe as keyof typeof expect];
            assert.ok(p?.grpc, `${d.metadata?.name}: ${probe} is not a gRPC probe`);
            assert.equal(p.grpc.port, grpcPort, `${d.metadata?.name}: ${probe} port`);
            assert.equal(typeof p.grpc.port, 'number');
            assert.equal(p.grpc.service, service, `${d.metadata?.name}: ${probe} service`);
          }
          // The startup probe must leave room for migrations and the RocketMQ client start (20 s by default).
          const s = c.startupProbe!;
          assert.ok((s.periodSeconds ?? 10) * (s.failureThreshold ?? 3) >= 120, `${d.metadata?.name}: startup budget`);
        }
      });

      it('HTTP services (the gateway): HTTP probes on the named port, /healthz for startup and liveness, /readyz for readiness', () => {
        for (const d of apps.filter(x => HTTP_SERVICES.has(serviceOf(x)))) {
          const c = mainContainer(d);
          assert.equal(c.ports?.find(p => p.name === 'grpc'), undefined, `${d.metadata?.name}: a grpc port`);
          assert.equal(typeof c.ports?.find(p => p.name === 'http')?.containerPort, 'number', `${d.metadata?.name}: no http port`);
          const expect = { startupProbe: '/healthz', livenessProbe: '/healthz', readinessProbe: '/readyz' } as const;
          for (const [probe, path] of Object.entries(expect)) {
            const p = c[probe as keyof typeof expect];
            assert.equal(p?.httpGet?.path, path, `${d.metadata?.name}: ${probe} path`);
            assert.equal(p?.httpGet?.port, 'http', `${d.metadata?.name}: ${probe} port`);
          }
          const s = c.startupProbe!;
          assert.ok((s.periodSeconds ?? 10) * (s.failureThreshold ?? 3) >= 120, `${d.metadata?.name}: startup budget`);
        }
      });

      it('the serving port is the one the service listens on (<SVC>_PORT)', () => {
        for (const d of apps) {
          const c = mainContainer(d);
          const grpcPort = servingPort(c);
          const portEnv = c.env?.find(e => /_PORT$/.test(e.name) && e.name !== 'METRICS_PORT');
          assert.ok(portEnv, `${d.metadata?.name}: no <SVC>_PORT`);
          assert.equal(Number(portEnv.value), grpcPort);
        }
      });

      it('pods run non-root with a read-only root fs, no capabilities, RuntimeDefault seccomp and no API token', () => {
        for (const d of apps) {
          const pod = podSpec(d);
          const sc = mainContainer(d).securityContext;
          const what = d.metadata?.name;
          assert.equal(pod.automountServiceAccountToken, false, what);
          assert.equal(pod.securityContext?.runAsNonRoot, true, what);
          assert.ok((pod.securityContext?.runAsUser ?? 0) >= 1000, what);
          assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault', what);
          assert.equal(sc?.runAsNonRoot, true, what);
          assert.ok((sc?.runAsUser ?? 0) >= 1000, what);
          assert.equal(sc?.readOnlyRootFilesystem, true, what);
          assert.equal(sc?.allowPrivilegeEscalation, false, what);
          assert.equal(sc?.privileged, false, what);
          assert.deepEqual(sc?.capabilities?.drop, ['ALL'], what);
          assert.equal(sc?.capabilities?.add, undefined, what);
          assert.equal(sc?.seccompProfile?.type, 'RuntimeDefault', what);
        }
      });

      it('/tmp is a writable emptyDir', () => {
        for (const d of apps) {
          const mount = mainContainer(d).volumeMounts?.find(m => m.mountPath === '/tmp');
          assert.ok(mount, `${d.metadata?.name}: /tmp not mounted`);
          const volume = podSpec(d).volumes?.find(v => v.name === mount.name);
          assert.ok(volume?.emptyDir, `${d.metadata?.name}: /tmp is not an emptyDir`);
          assert.notEqual(mount.readOnly, true);
        }
      });

      it('requests are set, memory is limited and the V8 heap is about 75 % of the limit', () => {
        for (const d of apps) {
          const c = mainContainer(d);
          const limit = c.resources?.limits?.memory;
          assert.ok(limit, `${d.metadata?.name}: no memory limit`);
          assert.ok(c.resources?.requests?.cpu && c.resources.requests.memory, `${d.metadata?.name}: requests`);
          const heap = /--max-old-space-size=(\d+)/.exec(env(c, 'NODE_OPTIONS')?.value ?? '');
          assert.ok(heap, `${d.metadata?.name}: NODE_OPTIONS lacks --max-old-space-size`);
          assert.equal(Number(heap[1]), Math.floor((memoryMiB(limit as string) * 75) / 100), `${d.metadata?.name}`);
        }
      });

      it('terminationGracePeriodSeconds covers the preStop sleep, SHUTDOWN_GRACE_MS and the close phase', () => {
        const graceMs = Number(shared['SHUTDOWN_GRACE_MS']);
        assert.ok(graceMs > 0, 'SHUTDOWN_GRACE_MS in the ConfigMap');
        for (const d of apps) {
          const pod = podSpec(d);
          const preStop = mainContainer(d).lifecycle?.preStop?.exec?.command;
          assert.ok(preStop && preStop[0] === 'sleep', `${d.metadata?.name}: preStop sleep`);
          const sleepS = Number(preStop[1]);
          assert.ok(sleepS > 0);
          // The app cuts in-flight calls after SHUTDOWN_GRACE_MS and exits at most 5 s later (shutdown timeout).
          assert.ok((pod.terminationGracePeriodSeconds ?? 30) * 1000 > sleepS * 1000 + graceMs + 5000, `${d.metadata?.name}`);
        }
      });

      it('secrets reach only the services that use them', () => {
        for (const d of apps) {
          const c = mainContainer(d);
          const infra: readonly string[] = SERVICES[serviceOf(d)].infra;
          const usesRedis = infra.includes('redis') && !shared['REDIS_CLUSTER_NODES'];
          assert.equal(env(c, 'REDIS_URL') !== undefined, usesRedis, `${d.metadata?.name}: REDIS_URL`);
          assert.equal(env(c, 'MYSQL_URL') !== undefined, infra.includes('mysql'), `${d.metadata?.name}: MYSQL_URL`);
          assert.equal(env(c, 'ADMIN_TOKEN') !== undefined, SERVICES[serviceOf(d)].admin, `${d.metadata?.name}: ADMIN_TOKEN`);
          for (const name of ['REDIS_URL', 'MYSQL_URL', 'ADMIN_TOKEN']) {
            const e = env(c, name);
            if (e) assert.ok(e.valueFrom?.secretKeyRef?.name && e.value === undefined, `${d.metadata?.name}: ${name} not from a Secret`);
          }
          for (const e of c.env ?? []) assert.doesNotMatch(e.value ?? '', /:\/\/[^/@]*:[^/@]+@/, `${d.metadata?.name}: ${e.name} holds a password`);
        }
        for (const [k, v] of Object.entries(shared)) assert.doesNotMatch(v, /:\/\/[^/@]*:[^/@]+@/, `ConfigMap ${k} holds a password`);
      });

      it('OTLP: OTEL_SERVICE_NAME per service, resource attributes last, endpoint only when configured', () => {
        for (const d of apps) {
          const c = mainContainer(d);
          const names = (c.env ?? []).map(e => e.name);
          assert.equal(env(c, 'OTEL_SERVICE_NAME')?.value, serviceOf(d));
          assert.equal(names[names.length - 1], 'OTEL_RESOURCE_ATTRIBUTES', 'so $(K8S_…) references expand');
          const attrs = env(c, 'OTEL_RESOURCE_ATTRIBUTES')?.value ?? '';
          assert.match(attrs, /(^|,)k8s\.pod\.name=\$\(K8S_POD_NAME\)(,|$)/);
          assert.match(attrs, /(^|,)service\.version=[^,]+/);
          for (const ref of attrs.match(/\$\(([A-Z0-9_]+)\)/g) ?? []) {
            const refName = ref.slice(2, -1);
            assert.ok(names.indexOf(refName) >= 0 && names.indexOf(refName) < names.length - 1, `${ref} is defined before use`);
          }
          const endpoint = env(c, 'OTEL_EXPORTER_OTLP_ENDPOINT');
          if (endpoint) {
            assert.match(endpoint.value ?? '', /^https?:\/\//);
            assert.ok(env(c, 'OTEL_EXPORTER_OTLP_PROTOCOL')?.value);
          } else {
            assert.equal(env(c, 'OTEL_EXPORTER_OTLP_PROTOCOL'), undefined);
          }
        }
      });

      it('METRICS_PORT matches the "metrics" container port (or is 0 with no port)', () => {
        for (const d of apps) {
          const c = mainContainer(d);
          const port = c.ports?.find(p => p.name === 'metrics')?.containerPort;
          assert.equal(Number(env(c, 'METRICS_PORT')?.value), port ?? 0, `${d.metadata?.name}`);
        }
      });

      it('every service address is set for the services that call it', () => {
        for (const d of apps) {
          for (const peer of SERVICES[serviceOf(d)].peers) {
            const key = `${peer === 'productcatalog' ? 'PRODUCT_CATALOG' : peer.toUpperCase()}_SERVICE_ADDR`;
            assert.match(shared[key] ?? '', /^[^\s:]+:\d+$/, `${key} for ${d.metadata?.name}`);
          }
        }
      });
    });
  }
});
