// Renders helm/boutique-seckill with the real helm binary (built by scripts/install-helm.sh) and validates the
// objects offline against the Kubernetes schemas shipped in kubernetes-models. Shared by test/unit/chart-*.test.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount, type IConfigMap, type IService } from 'kubernetes-models/v1';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { HorizontalPodAutoscaler, type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress, NetworkPolicy, type IIngress, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ServiceMonitor, type IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';

export const ROOT = join(__dirname, '..', '..');
export const CHART = join(ROOT, 'helm', 'boutique-seckill');
export const KUBE_VERSION = '1.29.0';
export const RELEASE = 'shop';
export const NAMESPACE = 'shop-ns';

/**
 * The services of the app as the code wires them: default gRPC port, the services each one calls, the stores it
 * connects to, and whether it sends or checks ADMIN_TOKEN. The chart's table in _helpers.tpl must agree.
 */
export const SERVICES = {
  checkout: { port: 5050, peers: ['cart', 'productcatalog', 'currency', 'shipping', 'payment'], infra: ['redis', 'mysql', 'rocketmq'], admin: true },
  productcatalog: { port: 3550, peers: [], infra: ['redis', 'mysql', 'rocketmq'], admin: true },
  order: { port: 5060, peers: ['productcatalog', 'payment', 'shipping', 'email'], infra: ['redis', 'mysql', 'rocketmq'], admin: true },
  cart: { port: 7070, peers: [], infra: ['redis'], admin: false },
  currency: { port: 7000, peers: [], infra: [], admin: false },
  payment: { port: 50051, peers: [], infra: ['mysql'], admin: false },
  shipping: { port: 50052, peers: [], infra: [], admin: false },
  email: { port: 5000, peers: [], infra: [], admin: false },
  ledger: { port: 5070, peers: [], infra: ['redis', 'mysql'], admin: true },
  cdc: { port: 5072, peers: [], infra: ['redis', 'mysql', 'rocketmq'], admin: false },
  gateway: { port: 8080, peers: ['checkout', 'productcatalog', 'order'], infra: [], admin: true },
} as const satisfies Record<string, { port: number; peers: readonly string[]; infra: readonly string[]; admin: boolean }>;
export type ServiceName = keyof typeof SERVICES;
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];
/** Services that serve HTTP (port "http", GET /healthz and /readyz) instead of gRPC. */
export const HTTP_SERVICES: ReadonlySet<string> = new Set(['gateway']);
/** Services that must run as exactly one pod (the cdc binlog reader). */
export const SINGLETON_SERVICES: ReadonlySet<string> = new Set(['cdc']);

/** The serving port of a container: "grpc", or "http" for the gateway. */
export function servingPort(c: IContainer): number | undefined {
  return c.ports?.find(p => p.name === 'grpc' || p.name === 'http')?.containerPort;
}

/** Every value set the chart promises to render: helm/boutique-seckill/ci/*-values.yaml and helm/examples/*-values.yaml. */
export const VALUE_SETS: readonly string[] = [
  ...readdirSync(join(CHART, 'ci')).filter(f => f.endsWith('-values.yaml')).map(f => join(CHART, 'ci', f)),
  ...readdirSync(join(ROOT, 'helm', 'examples')).filter(f => f.endsWith('-values.yaml')).map(f => join(ROOT, 'helm', 'examples', f)),
].sort();

export function setName(file: string): string {
  return relative(ROOT, file);
}

let helmPath: string | undefined;

/** The helm binary; builds it (once per machine, minutes when cold) when .stack/bin/helm is missing. */
export function helm(): string {
  if (helmPath) return helmPath;
  const out = execFileSync('bash', [join(ROOT, 'scripts', 'install-helm.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 30 * 60_000,
  });
  const lines = out.trim().split('\n');
  helmPath = lines[lines.length - 1];
  if (!helmPath) throw new Error('scripts/install-helm.sh printed no helm path');
  return helmPath;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface RenderOptions {
  readonly valueFiles?: readonly string[];
  readonly set?: Readonly<Record<string, string>>;
}

export interface HelmResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runHelm(args: readonly string[]): HelmResult {
  const r = spawnSync(helm(), [...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function valueArgs(options: RenderOptions): string[] {
  const args: string[] = [];
  for (const f of options.valueFiles ?? []) args.push('-f', f);
  for (const [k, v] of Object.entries(options.set ?? {})) args.push('--set', `${k}=${v}`);
  return args;
}

/** `helm template` result (status and output) without throwing. */
export function template(options: RenderOptions = {}): HelmResult {
  return runHelm(['template', RELEASE, CHART, '--namespace', NAMESPACE, '--kube-version', KUBE_VERSION, ...valueArgs(options)]);
}

export function lint(options: RenderOptions = {}): HelmResult {
  return runHelm(['lint', '--strict', '--kube-version', KUBE_VERSION, CHART, ...valueArgs(options)]);
}

/** Parses a multi-document manifest; empty documents are dropped, YAML errors throw. */
export function parseManifest(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`YAML error: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    objects.push(value as K8sObject);
  }
  return objects;
}

const renders = new Map<string, K8sObject[]>();

/** Renders (cached per options) and parses; a failing render throws with helm's message. */
export function render(options: RenderOptions = {}): K8sObject[] {
  const key = JSON.stringify(options);
  const cached = renders.get(key);
  if (cached) return cached;
  const r = template(options);
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr.trim()}`);
  const objects = parseManifest(r.stdout);
  renders.set(key, objects);
  return objects;
}

export function renderSet(file: string): K8sObject[] {
  return render({ valueFiles: [file] });
}

type Validator = (o: K8sObject) => void;
const model =
  <T>(Ctor: new (data: T) => { validate(): void }): Validator =>
  o =>
    new Ctor(o as unknown as T).validate();

/** Offline schema validation for every kind the chart may render; an unknown kind is an error. */
const VALIDATORS: Record<string, Validator> = {
  'apps/v1/Deployment': model(Deployment),
  'v1/Service': model(Service),
  'v1/ConfigMap': model(ConfigMap),
  'v1/Secret': model(Secret),
  'v1/ServiceAccount': model(ServiceAccount),
  'v1/Namespace': model(Namespace),
  'policy/v1/PodDisruptionBudget': model(PodDisruptionBudget),
  'autoscaling/v2/HorizontalPodAutoscaler': model(HorizontalPodAutoscaler),
  'networking.k8s.io/v1/NetworkPolicy': model(NetworkPolicy),
  'networking.k8s.io/v1/Ingress': model(Ingress),
  'monitoring.coreos.com/v1/ServiceMonitor': model(ServiceMonitor),
};

/** Throws with the object's kind/name and the schema error when the object is invalid. */
export function validateObject(o: K8sObject): void {
  const key = `${o.apiVersion}/${o.kind}`;
  const validate = VALIDATORS[key];
  if (!validate) throw new Error(`${key} ${o.metadata?.name}: no schema known for this kind`);
  try {
    validate(o);
  } catch (err) {
    throw new Error(`${key} ${o.metadata.name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

// Typed views of rendered objects (call after validateObject or on a set whose validity another test asserts).
export const ofKind = <T>(objects: readonly K8sObject[], kind: string): T[] =>
  objects.filter(o => o.kind === kind) as unknown as T[];
export const deployments = (objects: readonly K8sObject[]) => ofKind<IDeployment>(objects, 'Deployment');
export const services = (objects: readonly K8sObject[]) => ofKind<IService>(objects, 'Service');
export const pdbs = (objects: readonly K8sObject[]) => ofKind<IPodDisruptionBudget>(objects, 'PodDisruptionBudget');
export const hpas = (objects: readonly K8sObject[]) => ofKind<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler');
export const networkPolicies = (objects: readonly K8sObject[]) => ofKind<INetworkPolicy>(objects, 'NetworkPolicy');
export const ingresses = (objects: readonly K8sObject[]) => ofKind<IIngress>(objects, 'Ingress');
export const serviceMonitors = (objects: readonly K8sObject[]) => ofKind<IServiceMonitor>(objects, 'ServiceMonitor');
export const configMaps = (objects: readonly K8sObject[]) => ofKind<IConfigMap>(objects, 'ConfigMap');

export function component(o: { metadata?: { labels?: Record<string, string> } }): string {
  return o.metadata?.labels?.['app.kubernetes.io/component'] ?? '';
}

/** The app's Deployments (not the in-chart dev stores). */
export function appDeployments(objects: readonly K8sObject[]): IDeployment[] {
  return deployments(objects).filter(d => !component(d).startsWith('dev-'));
}

export function podSpec(d: IDeployment): IPodSpec {
  const spec = d.spec?.template.spec;
  if (!spec) throw new Error(`${d.metadata?.name}: no pod spec`);
  return spec;
}

export function mainContainer(d: IDeployment): IContainer {
  const c = podSpec(d).containers[0];
  if (!c) throw new Error(`${d.metadata?.name}: no container`);
  return c;
}

export function env(c: IContainer, name: string): IEnvVar | undefined {
  return c.env?.find(e => e.name === name);
}

/** True when every key/value of `selector` is in `labels`. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** Size of a memory quantity in MiB (the units the chart accepts). */
export function memoryMiB(q: string | number): number {
  const s = String(q);
  const m = /^(\d+)(Mi|Gi|M|G)?$/.exec(s);
  if (!m) throw new Error(`unsupported memory quantity ${s}`);
  const n = Number(m[1]);
  switch (m[2]) {
    case 'Gi':
      return n * 1024;
    case 'Mi':
      return n;
    case 'G':
      return Math.floor((n * 1e9) / 1048576);
    case 'M':
      return Math.floor((n * 1e6) / 1048576);
    default:
      return Math.floor(n / 1048576);
  }
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Helm's merge: maps merge key by key, anything else (lists included) is replaced. */
export function mergeValues(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlain(b) && isPlain(v) ? mergeValues(b, v) : v;
  }
  return out;
}

/** The chart's values.yaml merged with a value set, as helm computes .Values. */
export function loadValues(file?: string): Plain {
  const read = (f: string): Plain => {
    const v: unknown = parseAllDocuments(readFileSync(f, 'utf8'))[0]?.toJS();
    return isPlain(v) ? v : {};
  };
  const defaults = read(join(CHART, 'values.yaml'));
  return file ? mergeValues(defaults, read(file)) : defaults;
}

/** A value by dotted path ("networkPolicy.egress.redisPorts"). */
export function valueAt<T>(values: Plain, path: string): T {
  return path.split('.').reduce<unknown>((o, k) => (isPlain(o) ? o[k] : undefined), values) as T;
}
