// proto-loader definitions of our .proto files. ts-proto code does the real (de)serialisation;
// these definitions feed gRPC reflection and tests that speak the upstream wire format.
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import {
  loadFileDescriptorSetFromBuffer,
  loadSync,
  type AnyDefinition,
  type EnumTypeDefinition,
  type MessageTypeDefinition,
  type Options,
  type PackageDefinition,
} from '@grpc/proto-loader';
import { projectPath } from './paths';

export interface ProtoSource {
  /** Directories searched for imports, in order. */
  readonly includeDirs: readonly string[];
  /** Files relative to an include dir, e.g. "hipstershop/demo.proto". */
  readonly files: readonly string[];
  /**
   * protoc `--include_imports` descriptor set built from `files` (scripts/gen-proto.sh). When given, the
   * definition comes from it and reflection serves protoc's files verbatim, each with its `dependency`
   * list; proto-loader alone merges a package's files into one without imports, which Go clients reject.
   */
  readonly descriptorSet?: string;
}

export const PROTO_LOADER_OPTIONS: Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Written by scripts/gen-proto.sh; under protos/ because the runtime image ships protos/ but not src/. */
export const DESCRIPTOR_SET_FILE = 'descriptor-set.binpb';

/** hipstershop/demo.proto and every shop/v1/*.proto under protos/, served from protos/descriptor-set.binpb (gen-proto.sh). */
export function shopProtoSource(root = projectPath('protos')): ProtoSource {
  const files: string[] = [];
  if (existsSync(`${root}/hipstershop/demo.proto`)) files.push('hipstershop/demo.proto');
  const v1 = `${root}/shop/v1`;
  if (existsSync(v1)) {
    for (const f of readdirSync(v1).sort()) if (f.endsWith('.proto')) files.push(`shop/v1/${f}`);
  }
  return { includeDirs: [root, '/usr/include'], files, descriptorSet: `${root}/${DESCRIPTOR_SET_FILE}` };
}

export function loadProtoDefinition(source: ProtoSource): PackageDefinition {
  if (source.files.length === 0) throw new Error(`no .proto files found in ${source.includeDirs.join(', ')}`);
  if (source.descriptorSet !== undefined) return loadDescriptorSet(source.descriptorSet, source.files);
  return loadSync([...source.files], { ...PROTO_LOADER_OPTIONS, includeDirs: [...source.includeDirs] });
}

/**
 * Definitions from a protoc descriptor set, with every message/enum entry's `fileDescriptorProtos` (the
 * only thing @grpc/reflection reads) replaced by protoc's own per-file descriptors. proto-loader rebuilds
 * files per package on load, so its copies would lose the imports just like loadSync's.
 */
function loadDescriptorSet(path: string, requiredFiles: readonly string[]): PackageDefinition {
  if (!existsSync(path)) throw new Error(`${path} missing: run 'bash scripts/gen-proto.sh'`);
  const bytes = readFileSync(path);
  const set = fromBinary(FileDescriptorSetSchema, bytes);
  const names = new Set(set.file.map(f => f.name));
  const missing = requiredFiles.filter(f => !names.has(f));
  if (missing.length > 0) throw new Error(`${path} lacks ${missing.join(', ')}: stale, run 'bash scripts/gen-proto.sh'`);
  const fileDescriptorProtos = set.file.map(f => Buffer.from(toBinary(FileDescriptorProtoSchema, f)));
  const definition: PackageDefinition = {};
  for (const [name, entry] of Object.entries(loadFileDescriptorSetFromBuffer(bytes, PROTO_LOADER_OPTIONS))) {
    definition[name] = isTypeDefinition(entry) ? { ...entry, fileDescriptorProtos } : entry;
  }
  return definition;
}

/** Message and enum entries carry `format`; service entries are maps of methods. */
function isTypeDefinition(entry: AnyDefinition): entry is MessageTypeDefinition<object, object> | EnumTypeDefinition {
  return typeof entry.format === 'string';
}
