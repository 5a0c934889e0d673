// What the trace child is asked to do and what it reports (shared with telemetry-trace.test.ts without
// importing the child itself, whose module body runs the scenario).
import type { AttributeValue, SpanKind } from '@opentelemetry/api';
export interface TraceChildSpec {
  readonly mysqlUrl: string;
  readonly topic: string;
  readonly outFile: string;
}

export interface SpanRecord {
  readonly name: string;
  readonly kind: SpanKind;
  readonly scope: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly links: ReadonlyArray<{ readonly traceId: string; readonly spanId: string }>;
  readonly attributes: Record<string, AttributeValue | undefined>;
  readonly status: number;
}

export interface TraceChildReport {
  readonly orderId: string;
  readonly spans: readonly SpanRecord[];
}

/** The checkout RPC the trace starts at (client span in the child, server span in checkout). */
export const PLACE_ORDER_SPAN = 'grpc.hipstershop.CheckoutService/PlaceOrder';
