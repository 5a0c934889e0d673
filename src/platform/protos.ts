// proto-loader definitions of our .proto files. ts-proto code does the real (de)serialisation;
// these definitions feed gRPC reflection and tests that speak the upstream wire format.
import { readdirSync, existsSync } from 'node:fs';
import { loadSync, type PackageDefinition, type Options } from '@grpc/proto-loader';
import { projectPath } from './paths';

export interface ProtoSource {
  /** Directories searched for imports, in order. */
  readonly includeDirs: readonly string[];
  /** Files relative to an include dir, e.g. "hipstershop/demo.proto". */
  readonly files: readonly string[];
}

export const PROTO_LOADER_OPTIONS: Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** hipstershop/demo.proto and every shop/v1/*.proto under protos/, with /usr/include for well-known types. */
export function shopProtoSource(root = projectPath('protos')): ProtoSource {
  const files: string[] = [];
  if (existsSync(`${root}/hipstershop/demo.proto`)) files.push('hipstershop/demo.proto');
  const v1 = `${root}/shop/v1`;
  if (existsSync(v1)) {
    for (const f of readdirSync(v1).sort()) if (f.endsWith('.proto')) files.push(`shop/v1/${f}`);
  }
  return { includeDirs: [root, '/usr/include'], files };
}

export function loadProtoDefinition(source: ProtoSource): PackageDefinition {
  if (source.files.length === 0) throw new Error(`no .proto files found in ${source.includeDirs.join(', ')}`);
  return loadSync([...source.files], { ...PROTO_LOADER_OPTIONS, includeDirs: [...source.includeDirs] });
}
