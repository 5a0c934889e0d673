// First import of the trace child: tracing must be registered before @grpc/grpc-js, ioredis and mysql2
// are required, exactly as src/instrumentation.ts does for main.
import { startInMemoryTracing } from '../../../src/platform/telemetry/testing';

export const tracing = startInMemoryTracing({ serviceName: 'telemetry-trace-test' });
