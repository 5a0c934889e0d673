// grpcTls.existingSecret: the Secret is mounted read-only in every app pod, GRPC_TLS_* point into it, and
// the probes fall back to TCP (the kubelet's gRPC probe cannot speak TLS). Off by default.
import { strict as assert } from 'node:assert';
import { appDeployments, env, helm, HTTP_SERVICES, mainContainer, podSpec, render, validateObject } from './chart-harness';

const SECRET = 'shop-grpc-tls';
const TLS_ENV = {
  GRPC_TLS_CERT_FILE: '/etc/seckill/tls/tls.crt',
  GRPC_TLS_KEY_FILE: '/etc/seckill/tls/tls.key',
  GRPC_TLS_CA_FILE: '/etc/seckill/tls/ca.crt',
};
const PROBES = ['startupProbe', 'livenessProbe', 'readinessProbe'] as const;

describe('chart: optional gRPC TLS', function () {
  this.timeout(10 * 60_000);

  before(() => {
    helm();
  });

  it('is off by default: no GRPC_TLS_* env, no tls volume, native gRPC probes', () => {
    for (const d of appDeployments(render())) {
      const c = mainContainer(d);
      for (const name of Object.keys(TLS_ENV)) assert.equal(env(c, name), undefined, `${d.metadata?.name}: ${name}`);
      assert.ok(!podSpec(d).volumes?.some(v => v.name === 'grpc-tls'), `${d.metadata?.name}: grpc-tls volume`);
      const http = HTTP_SERVICES.has(c.args?.[0] ?? '');
      for (const p of PROBES) assert.ok(http ? c[p]?.httpGet : c[p]?.grpc, `${d.metadata?.name}: ${p} is ${http ? 'HTTP' : 'gRPC'}`);
    }
  });

  it('with grpcTls.existingSecret: every app pod mounts it and sets GRPC_TLS_*; probes are TCP on the gRPC port', () => {
    const objects = render({ set: { 'grpcTls.existingSecret': SECRET } });
    for (const o of objects) validateObject(o);
    const apps = appDeployments(objects);
    assert.ok(apps.length > 0);
    for (const d of apps) {
      const c = mainContainer(d);
      const name = d.metadata?.name;
      for (const [k, v] of Object.entries(TLS_ENV)) assert.equal(env(c, k)?.value, v, `${name}: ${k}`);
      const volume = podSpec(d).volumes?.find(v => v.name === 'grpc-tls');
      assert.equal(volume?.secret?.secretName, SECRET, `${name}: secret volume`);
      const mount = c.volumeMounts?.find(m => m.name === 'grpc-tls');
      assert.equal(mount?.mountPath, '/etc/seckill/tls');
      assert.equal(mount?.readOnly, true);
      const grpcPort = c.ports?.find(p => p.name === 'grpc')?.containerPort;
      // The gateway serves plain HTTP (TLS ends at the ingress): its probes stay HTTP.
      if (HTTP_SERVICES.has(c.args?.[0] ?? '')) {
        for (const p of PROBES) assert.equal(c[p]?.httpGet?.port, 'http', `${name}: ${p}`);
        continue;
      }
      for (const p of PROBES) {
        assert.equal(c[p]?.grpc, undefined, `${name}: ${p} must not be a gRPC probe under TLS`);
        assert.equal(c[p]?.tcpSocket?.port, grpcPort, `${name}: ${p} tcpSocket port`);
      }
    }
  });
});
