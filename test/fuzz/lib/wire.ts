// Raw-bytes cases: what no well-behaved client sends. Truncated varints, wrong wire types for known
// field numbers, unknown fields, bogus lengths, groups, invalid wire types 6/7, pure noise.
import * as protobuf from 'protobufjs';
import type { Rng } from './prng';

export type WireKind =
  | 'noise'
  | 'truncated'
  | 'unknown-field'
  | 'wrong-wire-type'
  | 'truncated-varint'
  | 'overlong-varint'
  | 'bad-length'
  | 'open-group'
  | 'invalid-wire-type'
  | 'field-zero'
  | 'nested-garbage';

export const WIRE_KINDS: readonly WireKind[] = [
  'noise', 'truncated', 'unknown-field', 'wrong-wire-type', 'truncated-varint', 'overlong-varint',
  'bad-length', 'open-group', 'invalid-wire-type', 'field-zero', 'nested-garbage',
];

const tag = (field: number, wireType: number) => Buffer.from(protobuf.Writer.create().uint32(((field << 3) | wireType) >>> 0).finish());

/** A syntactically valid payload for a wire type. */
function payload(rng: Rng, wireType: number): Buffer {
  switch (wireType) {
    case 0:
      return Buffer.from(protobuf.Writer.create().uint64(rng.int(0, 2 ** 31)).finish());
    case 1:
      return rng.bytes(8);
    case 5:
      return rng.bytes(4);
    default: {
      const body = rng.bytes(rng.int(0, 20));
      return Buffer.concat([Buffer.from(protobuf.Writer.create().uint32(body.length).finish()), body]);
    }
  }
}

const wireTypeOf = (field: protobuf.Field): number => {
  if (field.repeated && field.packed) return 2;
  if (field.resolvedType instanceof protobuf.Type) return 2;
  if (field.resolvedType instanceof protobuf.Enum) return 0;
  return (protobuf.types.basic as Record<string, number | undefined>)[field.type] ?? 2;
};

export function mutate(rng: Rng, kind: WireKind, type: protobuf.Type, valid: Buffer): Buffer {
  const fields = type.fieldsArray;
  const someField = () => (fields.length > 0 ? rng.pick(fields) : undefined);
  switch (kind) {
    case 'noise':
      return rng.bytes(rng.int(1, 64));
    case 'truncated':
      return valid.length > 1 ? valid.subarray(0, rng.int(1, valid.length - 1)) : Buffer.from([0x0a]);
    case 'unknown-field': {
      const wt = rng.pick([0, 1, 2, 5]);
      return Buffer.concat([valid, tag(rng.int(1000, 536_870_911), wt), payload(rng, wt)]);
    }
    case 'wrong-wire-type': {
      const f = someField();
      const number = f?.id ?? 1;
      const right = f ? wireTypeOf(f) : 2;
      const wt = rng.pick([0, 1, 2, 5].filter(w => w !== right));
      return Buffer.concat([tag(number, wt), payload(rng, wt), valid]);
    }
    case 'truncated-varint':
      return Buffer.concat([valid, tag(someField()?.id ?? 1, 0), Buffer.from([0xff, 0xff, 0xff])]);
    case 'overlong-varint':
      return Buffer.concat([tag(someField()?.id ?? 1, 0), Buffer.alloc(11, 0xff), Buffer.from([0x01])]);
    case 'bad-length':
      return Buffer.concat([tag(someField()?.id ?? 1, 2), Buffer.from(protobuf.Writer.create().uint32(rng.int(100, 2 ** 31)).finish()), rng.bytes(3)]);
    case 'open-group':
      return Buffer.concat([tag(rng.int(1, 20), 3), valid]);
    case 'invalid-wire-type':
      return Buffer.concat([valid, tag(rng.int(1, 20), rng.pick([6, 7])), rng.bytes(4)]);
    case 'field-zero':
      return Buffer.concat([Buffer.from([rng.pick([0x00, 0x02, 0x05])]), rng.bytes(4)]);
    case 'nested-garbage': {
      const nested = fields.find(f => f.resolvedType instanceof protobuf.Type);
      const body = rng.bytes(rng.int(1, 30));
      return Buffer.concat([valid, tag(nested?.id ?? 1, 2), Buffer.from(protobuf.Writer.create().uint32(body.length).finish()), body]);
    }
  }
}
