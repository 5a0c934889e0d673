// Trace context by hand across the asynchronous hops, in W3C form (traceparent, tracestate):
//   Reserve → a field of the Redis Stream entry (a plain record) → forwarder → RocketMQ message
//   properties (a Map) → the order consumer, whose batch span links to every message's context.
// With tracing off the API is a no-op: inject writes nothing and extract finds nothing.
import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Link,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';

export type TraceFields = Readonly<Record<string, string>>;
export type TraceCarrier = TraceFields | ReadonlyMap<string, string>;

/** The API's default setter writes `carrier[key]`, which is wrong for a Map (style.md §6). */
export const mapSetter: TextMapSetter<Map<string, string>> = {
  set: (carrier, key, value) => void carrier.set(key, value),
};

export const mapGetter: TextMapGetter<ReadonlyMap<string, string>> = {
  get: (carrier, key) => carrier.get(key),
  keys: carrier => [...carrier.keys()],
};

const recordGetter: TextMapGetter<TraceFields> = {
  get: (carrier, key) => (Object.prototype.hasOwnProperty.call(carrier, key) ? carrier[key] : undefined),
  keys: carrier => Object.keys(carrier),
};

const recordSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => void (carrier[key] = value),
};

/** The context (default: the active one) as W3C fields, e.g. for a Redis Stream entry. Empty when not tracing. */
export function injectTraceFields(ctx: Context = context.active()): Record<string, string> {
  const fields: Record<string, string> = {};
  propagation.inject(ctx, fields, recordSetter);
  return fields;
}

/** Writes the context (default: the active one) into RocketMQ-style Map properties, replacing older fields. */
export function injectIntoMap(properties: Map<string, string>, ctx: Context = context.active()): void {
  propagation.inject(ctx, properties, mapSetter);
}

const isMap = (c: TraceCarrier): c is ReadonlyMap<string, string> => c instanceof Map;

/** The remote context carried by `carrier`, on top of `base` (default: the root, i.e. a new trace). */
export function extractTraceContext(carrier: TraceCarrier, base: Context = ROOT_CONTEXT): Context {
  return isMap(carrier) ? propagation.extract(base, carrier, mapGetter) : propagation.extract(base, carrier, recordGetter);
}

/** A link to the span context in `carrier`, if it holds a valid one. */
export function linkFrom(carrier: TraceCarrier): Link | undefined {
  const sc = trace.getSpanContext(extractTraceContext(carrier));
  return sc && isSpanContextValid(sc) ? { context: sc } : undefined;
}

/** One link per distinct producer context in the carriers (messages without one are skipped). */
export function linksFromCarriers(carriers: Iterable<TraceCarrier>): Link[] {
  const links = new Map<string, Link>();
  for (const carrier of carriers) {
    const link = linkFrom(carrier);
    if (link) links.set(`${link.context.traceId}/${link.context.spanId}`, link);
  }
  return [...links.values()];
}

/** Links of a consumed batch: one per message's producer span (OTel messaging, batch receive). */
export function linksFromMessages(batch: readonly { readonly properties: ReadonlyMap<string, string> }[]): Link[] {
  return linksFromCarriers(batch.map(m => m.properties));
}
