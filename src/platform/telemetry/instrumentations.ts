// The automatic instrumentations: gRPC (server and client spans, W3C context in metadata), ioredis and
// mysql2 (one CLIENT span per command / statement).
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';

/**
 * gRPC methods that are not traced: health probes and reflection (noise), and the RocketMQ client's own
 * background calls (route and assignment queries, heartbeats, the telemetry stream, long-poll receives,
 * acks), which would each start a root trace every few seconds. SendMessage stays: it is the child of
 * our PRODUCER span. Matched against the bare method name.
 */
export const UNTRACED_GRPC_METHODS: readonly string[] = [
  'Check',
  'Watch',
  'List',
  'ServerReflectionInfo',
  'QueryRoute',
  'QueryAssignment',
  'Heartbeat',
  'Telemetry',
  'ReceiveMessage',
  'AckMessage',
  'ChangeInvisibleDuration',
  'NotifyClientTermination',
  'ForwardMessageToDeadLetterQueue',
  'EndTransaction',
];

export function createInstrumentations(): Instrumentation[] {
  return [
    new GrpcInstrumentation({ ignoreGrpcMethods: [...UNTRACED_GRPC_METHODS] }),
    // requireParentSpan (the default) keeps idle loops (XREADGROUP BLOCK, XAUTOCLAIM) out of the traces:
    // background work that matters opens its own root span first (spans.ts).
    new IORedisInstrumentation({ requireParentSpan: true }),
    // Statements are parameterised; masking keeps literal values (addresses, e-mails) out of span text.
    new MySQL2Instrumentation({ maskStatement: true }),
  ];
}
