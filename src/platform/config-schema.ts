// The configuration table: every environment variable the shop reads, in one place.
// README's config table is generated from this (scripts/config-doc.ts), so `doc` is user-facing.
// To add keys, add an entry to a section (or a new section, e.g. `order: {...}`); the Config type follows.
import {
  address,
  boolean,
  endpointList,
  host,
  hostPortList,
  integer,
  oneOf,
  port,
  text,
  url,
  type Parser,
} from './config-parsers';

export type Secrecy = 'none' | 'secret' | 'url-password';

export interface ConfigEntry<T> {
  readonly env: string;
  /** Raw default, parsed by the same parser, so the docs show exactly what is used. */
  readonly default: string;
  readonly parse: Parser<T>;
  readonly doc: string;
  readonly secrecy: Secrecy;
}

function entry<T>(env: string, def: string, parse: Parser<T>, doc: string, secrecy: Secrecy = 'none'): ConfigEntry<T> {
  return { env, default: def, parse, doc, secrecy };
}

const ms = (min = 0) => integer(min);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const configSchema = {
  log: {
    level: entry('LOG_LEVEL', 'info', oneOf(LOG_LEVELS), 'pino log level'),
  },
  grpc: {
    host: entry('GRPC_HOST', '0.0.0.0', host(), 'interface every gRPC server binds to'),
  },
  ports: {
    checkout: entry('CHECKOUT_PORT', '5050', port(), 'checkout gRPC port (0 = any free port)'),
    productCatalog: entry('PRODUCT_CATALOG_PORT', '3550', port(), 'productcatalog gRPC port'),
    order: entry('ORDER_PORT', '5060', port(), 'order gRPC port'),
    cart: entry('CART_PORT', '7070', port(), 'cart gRPC port'),
    currency: entry('CURRENCY_PORT', '7000', port(), 'currency gRPC port'),
    payment: entry('PAYMENT_PORT', '50051', port(), 'payment gRPC port'),
    shipping: entry('SHIPPING_PORT', '50052', port(), 'shipping gRPC port (upstream reuses 50051; we do not)'),
    email: entry('EMAIL_PORT', '5000', port(), 'email gRPC port'),
  },
  metrics: {
    port: entry('METRICS_PORT', '9464', port(), 'Prometheus /metrics port (0 = off)'),
  },
  addr: {
    productCatalog: entry('PRODUCT_CATALOG_SERVICE_ADDR', '127.0.0.1:3550', address(), 'where clients reach productcatalog'),
    cart: entry('CART_SERVICE_ADDR', '127.0.0.1:7070', address(), 'where clients reach cart'),
    currency: entry('CURRENCY_SERVICE_ADDR', '127.0.0.1:7000', address(), 'where clients reach currency'),
    payment: entry('PAYMENT_SERVICE_ADDR', '127.0.0.1:50051', address(), 'where clients reach payment'),
    shipping: entry('SHIPPING_SERVICE_ADDR', '127.0.0.1:50052', address(), 'where clients reach shipping'),
    email: entry('EMAIL_SERVICE_ADDR', '127.0.0.1:5000', address(), 'where clients reach email'),
    checkout: entry('CHECKOUT_SERVICE_ADDR', '127.0.0.1:5050', address(), 'where clients reach checkout'),
    order: entry('ORDER_SERVICE_ADDR', '127.0.0.1:5060', address(), 'where clients reach order'),
  },
  redis: {
    url: entry('REDIS_URL', 'redis://127.0.0.1:6390', url(['redis', 'rediss']), 'Redis single node (used when REDIS_CLUSTER_NODES is empty)', 'url-password'),
    clusterNodes: entry('REDIS_CLUSTER_NODES', '', hostPortList(), 'Redis Cluster seed nodes "host:port,host:port"; empty = single node at REDIS_URL'),
  },
  mysql: {
    url: entry('MYSQL_URL', 'mysql://shop:shop@127.0.0.1:3316/shop', url(['mysql', 'mariadb'], { requirePath: true }), 'MySQL/MariaDB connection URL (local stack: user shop, password shop)', 'url-password'),
    poolSize: entry('MYSQL_POOL_SIZE', '10', integer(1, 1000), 'connections in the mysql2 pool'),
    migrateOnStart: entry('MYSQL_MIGRATE_ON_START', 'true', boolean(), 'apply drizzle migrations at start-up'),
  },
  rocketmq: {
    endpoints: entry('ROCKETMQ_ENDPOINTS', '127.0.0.1:8081', endpointList(), 'RocketMQ 5 proxy gRPC endpoints, ";"-separated'),
    namespace: entry('ROCKETMQ_NAMESPACE', '', text(), 'RocketMQ namespace (empty = none)'),
    startupTimeoutMs: entry('ROCKETMQ_STARTUP_TIMEOUT_MS', '20000', ms(1), 'how long producer/consumer start-up may take'),
  },
  rpc: {
    deadlineMs: entry('RPC_DEADLINE_MS', '2000', ms(1), 'default deadline of outgoing gRPC calls'),
  },
  lifecycle: {
    shutdownGraceMs: entry('SHUTDOWN_GRACE_MS', '10000', ms(), 'drain time on SIGTERM before in-flight calls are cut'),
    startupCheckTimeoutMs: entry('STARTUP_CHECK_TIMEOUT_MS', '5000', ms(1), 'how long start-up waits for Redis/MySQL before failing'),
  },
  inventory: {
    shards: entry('INVENTORY_SHARDS', '16', integer(1, 16384), 'stock shards (hash tags {inv:N}); fixed per deployment, same for the service and `make seed`'),
    soldOutTtlMs: entry('SOLD_OUT_TTL_MS', '1000', ms(), 'how long a process answers SOLD_OUT for an item without asking Redis'),
    refusalTtlMs: entry('RESERVATION_REFUSAL_TTL_MS', '600000', ms(), 'how long a refused order id replays its refusal'),
    recordTtlMs: entry('RESERVATION_RECORD_TTL_MS', '604800000', ms(), 'lifetime of a reservation record (the idempotency record; 0 = forever)'),
    partTimeoutMs: entry('CROSS_SHARD_PART_TIMEOUT_MS', '60000', ms(1), 'age after which an unfinished cross-shard part is settled by the sweeper'),
  },
  catalog: {
    cacheTtlMs: entry('CATALOG_CACHE_TTL_MS', '300000', ms(1), 'product cache TTL (jittered ±20%)'),
    notFoundTtlMs: entry('CATALOG_NOT_FOUND_TTL_MS', '30000', ms(1), 'how long an unknown product id is remembered as not found'),
  },
  cart: {
    ttlSeconds: entry('CART_TTL_SECONDS', '604800', integer(1), 'a cart expires this long after its last change'),
  },
  admin: {
    token: entry('ADMIN_TOKEN', '', text(), 'bearer token for admin RPCs; empty = admin RPCs refused', 'secret'),
  },
  order: {
    paymentWindowMs: entry('ORDER_PAYMENT_WINDOW_MS', '1800000', ms(1000), 'payment window: an order unpaid this long after it was accepted is cancelled and its stock released'),
    timeoutScanIntervalMs: entry('ORDER_TIMEOUT_SCAN_INTERVAL_MS', '30000', ms(100), 'how often the backstop scan looks for expired unpaid orders whose timer was lost'),
    timeoutScanBatch: entry('ORDER_TIMEOUT_SCAN_BATCH', '100', integer(1, 10000), 'expired unpaid orders cancelled per scan pass (SKIP LOCKED, safe with replicas)'),
    shipConcurrency: entry('ORDER_SHIP_CONCURRENCY', '10', integer(1, 1000), 'ShipOrder / SendOrderConfirmation calls in flight per replica'),
    shipMaxAttempts: entry('ORDER_SHIP_MAX_ATTEMPTS', '10', integer(1, 1000), 'ShipOrder attempts on transient failures before the order becomes SHIP_FAILED'),
    shipBackoffInitialMs: entry('ORDER_SHIP_BACKOFF_INITIAL_MS', '1000', ms(1), 'first retry delay of a failed ShipOrder / email (doubles per attempt)'),
    shipBackoffMaxMs: entry('ORDER_SHIP_BACKOFF_MAX_MS', '300000', ms(1), 'cap of the ShipOrder / email retry delay'),
    emailMaxAttempts: entry('ORDER_EMAIL_MAX_ATTEMPTS', '3', integer(1, 100), 'SendOrderConfirmation attempts before giving up (never fails the order)'),
    taskPollMs: entry('ORDER_TASK_POLL_MS', '1000', ms(10), 'how often the fulfilment worker looks for due shipping/email tasks'),
    taskLeaseMs: entry('ORDER_TASK_LEASE_MS', '30000', ms(1000), 'a claimed shipping/email task is re-driven by any replica after this long (crash recovery)'),
    shippingRecoverIntervalMs: entry('ORDER_SHIPPING_RECOVER_INTERVAL_MS', '10000', ms(100), 'how often ShippingRecover looks for PAID orders without a shipment'),
    shippingRecoverAgeMs: entry('ORDER_SHIPPING_RECOVER_AGE_MS', '10000', ms(), 'ShippingRecover re-drives PAID orders without a shipment older than this'),
  },
} as const satisfies Record<string, Record<string, ConfigEntry<unknown>>>;

export type ConfigSchema = typeof configSchema;
