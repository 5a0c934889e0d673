// kubernetes-models' validate() checks types and required fields but accepts unknown ones, so a misspelt key
// (`readinesProbe:`) would pass it. Here the rendered objects are type-checked as object literals against the
// same models' TypeScript interfaces: TypeScript's excess-property check rejects any field Kubernetes doesn't know.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import ts from 'typescript';
import { helm, renderSet, ROOT, setName, VALUE_SETS, type K8sObject } from './chart-harness';

/** The interface (module, name) of each kind the chart renders. */
const TYPES: Record<string, [string, string]> = {
  'apps/v1/Deployment': ['kubernetes-models/apps/v1/Deployment', 'IDeployment'],
  'v1/Service': ['kubernetes-models/v1/Service', 'IService'],
  'v1/ConfigMap': ['kubernetes-models/v1/ConfigMap', 'IConfigMap'],
  'v1/Secret': ['kubernetes-models/v1/Secret', 'ISecret'],
  'v1/ServiceAccount': ['kubernetes-models/v1/ServiceAccount', 'IServiceAccount'],
  'policy/v1/PodDisruptionBudget': ['kubernetes-models/policy/v1/PodDisruptionBudget', 'IPodDisruptionBudget'],
  'autoscaling/v2/HorizontalPodAutoscaler': ['kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', 'IHorizontalPodAutoscaler'],
  'networking.k8s.io/v1/NetworkPolicy': ['kubernetes-models/networking.k8s.io/v1/NetworkPolicy', 'INetworkPolicy'],
  'networking.k8s.io/v1/Ingress': ['kubernetes-models/networking.k8s.io/v1/Ingress', 'IIngress'],
  'monitoring.coreos.com/v1/ServiceMonitor': ['@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor', 'IServiceMonitor'],
};

interface Labelled {
  readonly label: string;
  readonly object: K8sObject;
}

/** Type-checks the objects in one virtual module; returns "<set> <kind>/<name>: <message>" per error. */
function typeCheck(objects: readonly Labelled[]): string[] {
  const file = join(ROOT, 'test', 'unit', '__chart_strict_fields__.ts');
  const lines: string[] = [];
  const owner: string[] = []; // line index → label
  const push = (line: string, label = '') => {
    lines.push(line);
    owner.push(label);
  };
  Object.entries(TYPES).forEach(([, [mod, name]], i) => push(`import type { ${name} as T${i} } from '${mod}';`));
  const index = new Map(Object.keys(TYPES).map((k, i) => [k, i]));
  objects.forEach(({ label, object }, n) => {
    const i = index.get(`${object.apiVersion}/${object.kind}`);
    if (i === undefined) throw new Error(`${label}: no TypeScript type for ${object.apiVersion}/${object.kind}`);
    for (const l of `export const o${n}: T${i} = ${JSON.stringify(object, null, 1)};`.split('\n')) push(l, label);
  });
  const source = lines.join('\n');

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) =>
    name === file ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = name => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  const sf = program.getSourceFile(file);
  if (!sf) throw new Error('virtual source file missing');
  return ts.getPreEmitDiagnostics(program, sf).map(d => {
    const line = d.start === undefined ? -1 : sf.getLineAndCharacterOfPosition(d.start).line;
    return `${owner[line] ?? '?'}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('chart: no field unknown to Kubernetes (TypeScript excess-property check)', function () {
  this.timeout(30 * 60_000);

  before(() => {
    helm();
  });

  it('holds for every object of every value set', () => {
    const all: Labelled[] = VALUE_SETS.flatMap(f =>
      renderSet(f).map(o => ({ label: `${setName(f)} ${o.kind}/${o.metadata.name}`, object: o })),
    );
    const errors = typeCheck(all);
    assert.deepEqual(errors.slice(0, 10), []);
  });

  it('catches a misspelt field', () => {
    const deployment = renderSet(VALUE_SETS[0]!).find(o => o.kind === 'Deployment')!;
    const broken = JSON.parse(JSON.stringify(deployment)) as K8sObject & { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
    broken.spec.template.spec.containers[0]!['readinesProbe'] = { grpc: { port: 1 } };
    const errors = typeCheck([{ label: 'broken', object: broken }]);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /readinesProbe/);
  });
});
