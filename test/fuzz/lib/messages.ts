// Random protobuf messages built from the .proto files themselves (protobufjs reflection), so every
// RPC — including ones added later — is fuzzed from its own request type without hand-written generators.
import { readdirSync } from 'node:fs';
import * as protobuf from 'protobufjs';
import { projectPath } from '../../../src/platform/paths';
import type { Rng } from './prng';
import { randomDouble, randomInt32, randomInt64, randomString } from './values';

export interface RpcInfo {
  /** "/hipstershop.CartService/AddItem" */
  readonly path: string;
  /** "hipstershop.CartService" */
  readonly service: string;
  /** "AddItem" */
  readonly method: string;
  readonly requestType: protobuf.Type;
  readonly serverStreaming: boolean;
  readonly clientStreaming: boolean;
}

/** Every .proto under protos/hipstershop and protos/shop/v1, resolved. */
export function loadProtoRoot(): protobuf.Root {
  const root = new protobuf.Root();
  const base = projectPath('protos');
  root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : `${base}/${target}`);
  const files = ['hipstershop/demo.proto', ...readdirSync(`${base}/shop/v1`).filter(f => f.endsWith('.proto')).sort().map(f => `shop/v1/${f}`)];
  root.loadSync(files, { keepCase: true });
  root.resolveAll();
  return root;
}

export function listRpcs(root: protobuf.Root): RpcInfo[] {
  const out: RpcInfo[] = [];
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const obj of ns.nestedArray) {
      if (obj instanceof protobuf.Service) {
        const service = obj.fullName.replace(/^\./, '');
        for (const m of obj.methodsArray) {
          m.resolve();
          out.push({
            path: `/${service}/${m.name}`,
            service,
            method: m.name,
            requestType: m.resolvedRequestType as protobuf.Type,
            serverStreaming: m.responseStream === true,
            clientStreaming: m.requestStream === true,
          });
        }
      } else if (obj instanceof protobuf.Namespace) {
        visit(obj);
      }
    }
  };
  visit(root);
  return out;
}

const MAX_DEPTH = 4;

function scalar(rng: Rng, type: string): unknown {
  switch (type) {
    case 'string':
      return randomString(rng);
    case 'bytes':
      return rng.bytes(rng.pick([0, 1, 16, 300]));
    case 'bool':
      return rng.chance(0.5);
    case 'double':
    case 'float':
      return randomDouble(rng);
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return randomInt32(rng, false);
    case 'uint32':
    case 'fixed32':
      return randomInt32(rng, true);
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return randomInt64(rng, false);
    case 'uint64':
    case 'fixed64':
      return randomInt64(rng, true);
    default:
      throw new Error(`fuzz: no generator for scalar type ${type}`);
  }
}

function fieldValue(rng: Rng, field: protobuf.Field, depth: number): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    const known = Object.values(resolved.values);
    return rng.chance(0.8) ? rng.pick(known) : rng.pick([-1, 999, 2_147_483_647, rng.int(0, 50)]);
  }
  if (resolved instanceof protobuf.Type) return depth >= MAX_DEPTH ? {} : randomMessage(rng, resolved, depth + 1);
  return scalar(rng, field.type);
}

/** A plain object for `type.fromObject`: fields randomly absent, boundary or hostile, lists sometimes long. */
export function randomMessage(rng: Rng, type: protobuf.Type, depth = 0): Record<string, unknown> {
  const msg: Record<string, unknown> = {};
  const oneofsSet = new Set<string>();
  for (const field of type.fieldsArray) {
    if (rng.chance(0.15)) continue;
    if (field.partOf) {
      if (oneofsSet.has(field.partOf.name)) continue;
      oneofsSet.add(field.partOf.name);
    }
    if (field instanceof protobuf.MapField) {
      const map: Record<string, unknown> = {};
      const n = rng.chance(0.05) ? rng.int(50, 500) : rng.int(0, 3);
      for (let i = 0; i < n; i++) map[String(scalar(rng, field.keyType === 'string' ? 'string' : 'uint32'))] = fieldValue(rng, field, depth);
      msg[field.name] = map;
    } else if (field.repeated) {
      // Long lists stay shallow so a case stays well under the 4 MiB limit.
      const n = rng.chance(0.02) ? rng.int(100, depth === 0 ? 3000 : 200) : rng.int(0, 4);
      const list: unknown[] = [];
      for (let i = 0; i < n; i++) list.push(fieldValue(rng, field, n > 50 ? MAX_DEPTH - 1 : depth));
      msg[field.name] = list;
    } else {
      msg[field.name] = fieldValue(rng, field, depth);
    }
  }
  return msg;
}

export function encodeMessage(type: protobuf.Type, value: Record<string, unknown>): Buffer {
  return Buffer.from(type.encode(type.fromObject(value)).finish());
}

/** A field of `type` (any depth 0) of kind string, to blow a message past the size limit. */
export function oversizeMessage(type: protobuf.Type, bytes: number): Buffer {
  const field = type.fieldsArray.find(f => f.type === 'string' || f.type === 'bytes');
  // No string field: an unknown length-delimited field 15 does the same to the transport.
  const number = field?.id ?? 15;
  const header = Buffer.from(protobuf.Writer.create().uint32((number << 3) | 2).uint32(bytes).finish());
  return Buffer.concat([header, Buffer.alloc(bytes, 0x61)]);
}
