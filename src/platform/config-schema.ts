// The configuration table: every environment variable the shop reads, in one place.
// README's config table is generated from this (scripts/config-doc.ts), so `doc` is user-facing.
// To add keys, add an entry to a section (or a new section, e.g. `order: {...}`); the Config type follows.
import {
  ConfigProblem,
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
import { addressList, trustProxy } from './cidr';

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

export const PRODUCTCATALOG_WORKER_ROLES = ['writer', 'forwarder', 'trimmer', 'sweeper'] as const;
export type ProductCatalogWorkerRole = (typeof PRODUCTCATALOG_WORKER_ROLES)[number];

/** "writer,forwarder" → roles; "none" → none (an empty variable means "default" to the loader). */
function workerRoles(): Parser<readonly ProductCatalogWorkerRole[]> {
  const known: readonly string[] = PRODUCTCATALOG_WORKER_ROLES;
  return raw => {
    const parts = raw.split(',').map(s => s.trim()).filter(s => s !== '');
    if (parts.length === 1 && parts[0] === 'none') return [];
    if (parts.length === 0 || parts.some(p => !known.includes(p))) {
      throw new ConfigProblem(`must be "none" or a comma-separated list of ${PRODUCTCATALOG_WORKER_ROLES.join(', ')}`);
    }
    return [...new Set(parts)] as ProductCatalogWorkerRole[];
  };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const CDC_TABLES = ['products', 'orders'] as const;
export type CdcTable = (typeof CDC_TABLES)[number];
export const CDC_ROLES = ['reader', 'products', 'orders'] as const;
export type CdcRole = (typeof CDC_ROLES)[number];

/** "a,b" → a non-empty subset of `known`; "none" → [] when allowed. */
function subsetOf<const T extends string>(known: readonly T[], allowNone: boolean): Parser<readonly T[]> {
  return raw => {
    const parts = raw.split(',').map(s => s.trim()).filter(s => s !== '');
    if (allowNone && parts.length === 1 && parts[0] === 'none') return [];
    if (parts.length === 0 || parts.some(p => !(known as readonly string[]).includes(p))) {
      throw new ConfigProblem(`must be ${allowNone ? '"none" or ' : ''}a comma-separated list of ${known.join(', ')}`);
    }
    return [...new Set(parts)] as T[];
  };
}

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
    ledger: entry('LEDGER_PORT', '5070', port(), 'ledger gRPC port (shop.v1.LedgerService: Check, GetReconciliation; admin token)'),
    cdc: entry('CDC_PORT', '5072', port(), 'cdc (binlog change-data-capture worker) gRPC health port'),
  },
  metrics: {
    port: entry('METRICS_PORT', '9464', port(), 'Prometheus /metrics port (0 = off)'),
  },
  // Standard OpenTelemetry variables: read here only to decide whether tracing starts at all; the SDK
  // reads them (and OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_TRACES_SAMPLER, OTEL_RESOURCE_ATTRIBUTES…) itself.
  telemetry: {
    otlpEndpoint: entry('OTEL_EXPORTER_OTLP_ENDPOINT', '', text(), 'OTLP collector endpoint (e.g. http://otel-collector:4317); tracing is off while this, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and OTEL_TRACES_EXPORTER are all empty'),
    otlpTracesEndpoint: entry('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', '', text(), 'OTLP endpoint for traces only (overrides OTEL_EXPORTER_OTLP_ENDPOINT)'),
    tracesExporter: entry('OTEL_TRACES_EXPORTER', '', text(), 'span exporter: otlp, console or none; empty = otlp when an endpoint is set, else tracing off'),
    serviceName: entry('OTEL_SERVICE_NAME', '', text(), 'service.name of the spans; empty = the services started, e.g. "checkout"'),
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
    workersEnabled: entry('WORKERS_ENABLED', 'true', boolean(), 'run this process\'s background workers (consumers, write-behind, forwarder, sweepers); false = gRPC hot path only (the Helm chart splits them)'),
  },
  inventory: {
    shards: entry('INVENTORY_SHARDS', '16', integer(1, 16384), 'stock shards (hash tags {inv:N}); fixed per deployment, same for the service and `make seed`'),
    soldOutTtlMs: entry('SOLD_OUT_TTL_MS', '1000', ms(), 'how long a process answers SOLD_OUT for an item without asking Redis'),
    refusalTtlMs: entry('RESERVATION_REFUSAL_TTL_MS', '600000', ms(), 'how long a refused order id replays its refusal'),
    recordTtlMs: entry('RESERVATION_RECORD_TTL_MS', '604800000', ms(), 'lifetime of a reservation record (the idempotency record; 0 = forever)'),
    partTimeoutMs: entry('CROSS_SHARD_PART_TIMEOUT_MS', '60000', ms(1), 'age after which an unfinished cross-shard part is settled by the sweeper'),
  },
  workers: {
    run: entry('PRODUCTCATALOG_WORKERS', 'writer,forwarder,trimmer,sweeper', workerRoles(), 'productcatalog background workers run in this process: stock write-behind, order forwarder, stream trimmer, cross-shard part sweeper; "none" = hot path only (workers in a separate Deployment)'),
    writerBatchSize: entry('STOCK_WRITER_BATCH_SIZE', '200', integer(1, 10000), 'stock-change entries per write-behind batch (one MySQL transaction)'),
    forwarderBatchSize: entry('FORWARDER_BATCH_SIZE', '50', integer(1, 10000), 'order-created entries per forwarder batch (sent to RocketMQ concurrently)'),
    blockMs: entry('STREAM_BLOCK_MS', '2000', integer(1, 60000), 'XREADGROUP BLOCK of the stream workers; also how long a graceful stop may wait for an idle read'),
    claimIdleMs: entry('STREAM_CLAIM_IDLE_MS', '60000', ms(1), 'a pending stream entry idle this long is taken over (XAUTOCLAIM) from its presumed-dead consumer'),
    claimIntervalMs: entry('STREAM_CLAIM_INTERVAL_MS', '15000', ms(1), 'how often each stream worker looks for such idle entries'),
    maxAttempts: entry('STREAM_MAX_ATTEMPTS', '5', integer(1, 1000), 'data rejections of one stream entry before it moves to the dead stream (`make stock-reconcile` for stock entries)'),
    forwarderLagProbeMs: entry('FORWARDER_LAG_PROBE_MS', '5000', ms(1), 'how often the forwarder measures its lag (age of the oldest unforwarded order)'),
    trimIntervalMs: entry('STREAM_TRIM_INTERVAL_MS', '60000', ms(1), 'how often the trimmer drops stream entries every consumer group has acked'),
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
  orderCore: {
    createdTopic: entry('ORDER_CREATED_TOPIC', 'order-created', text(), 'topic of OrderCreated messages (forwarder → order creation consumer)'),
    createdGroup: entry('ORDER_CREATED_GROUP', 'GID_order_created', text(), 'consumer group of the order creation consumer'),
    statusTopic: entry('ORDER_STATUS_TOPIC', 'order-status', text(), 'FIFO topic of OrderStatusChanged events (message group = order id)'),
    statusGroup: entry('ORDER_STATUS_GROUP', 'GID_order_status', text(), 'consumer group (FIFO) of the order status consumer'),
    timeoutTopic: entry('ORDER_TIMEOUT_TOPIC', 'order-timeout', text(), 'DELAY topic of the payment-deadline timers'),
    timeoutGroup: entry('ORDER_TIMEOUT_GROUP', 'GID_order_timeout', text(), 'consumer group of the payment-deadline timers (timeout cancel)'),
    consumerBatch: entry('ORDER_CONSUMER_BATCH', '100', integer(1, 100), 'messages per receive of the order consumers; one batch = one insert transaction'),
    consumerInvisibleMs: entry('ORDER_CONSUMER_INVISIBLE_MS', '30000', ms(1000), 'how long a received order message stays hidden from other replicas (must cover one batch)'),
    consumerAwaitMs: entry('ORDER_CONSUMER_AWAIT_MS', '5000', ms(1), 'long-poll of the order consumers (bounds how long stop waits for an empty receive)'),
    retryDelayMs: entry('ORDER_CONSUMER_RETRY_MS', '5000', ms(0), 'redelivery delay of an order message that failed for a transient reason'),
    resultTtlMs: entry('ORDER_RESULT_TTL_MS', '259200000', ms(1000), 'lifetime of the buyer result key order:{id}:result after its last change'),
    payingLeaseMs: entry('ORDER_PAYING_LEASE_MS', '60000', ms(1000), 'PayOrder holds the PAYING lock this long; after it a retry or the recover scan takes over (keep well above ORDER_PAYMENT_CALL_DEADLINE_MS)'),
    paymentCallDeadlineMs: entry('ORDER_PAYMENT_CALL_DEADLINE_MS', '10000', ms(1), 'deadline of PaymentService.Charge calls made by PayOrder'),
    listPageSize: entry('ORDER_LIST_PAGE_SIZE', '20', integer(1, 100), 'ListOrders page size when the request asks for 0'),
  },
  orderTx: {
    topic: entry('ORDER_TX_TOPIC', 'order-tx', text(), 'TRANSACTION topic of OrderCancelled half messages, committed with the CANCELLED transition (the broker asks the order database when the sender died in between)'),
    releaseGroup: entry('ORDER_RELEASE_GROUP', 'GID_order_release', text(), 'consumer group that gives back the stock of cancelled orders (reads ORDER_TX_TOPIC)'),
    localBudgetMs: entry('ORDER_TX_LOCAL_BUDGET_MS', '2000', ms(100), 'a cancel whose half message is older than this when its UPDATE would start is rolled back instead; keep below the broker\'s transactionTimeOut (default 6000, local stack 3000) so a check-back never races a live cancel'),
    releaseRedriveAfterMs: entry('ORDER_RELEASE_REDRIVE_AFTER_MS', '1800000', ms(1000), 'the backstop scan releases the stock of CANCELLED orders still unreleased this long after the cancel (release messages that were dead-lettered)'),
  },
  flashSale: {
    tokenTtlMs: entry('FLASH_TOKEN_TTL_MS', '300000', ms(1000), 'lifetime of a purchase token from FlashSaleService.IssueToken'),
    itemCacheTtlMs: entry('FLASH_ITEM_CACHE_TTL_MS', '1000', ms(), 'how long checkout reuses its snapshot of flash-sale items read from MySQL (0 = read every time)'),
    stockCacheTtlMs: entry('FLASH_STOCK_CACHE_TTL_MS', '500', ms(), 'how long ListSaleItems/GetSaleItem reuse a remaining-stock figure from InventoryService.GetStock'),
    rateWindowMs: entry('FLASH_RATE_WINDOW_MS', '1000', ms(1), 'window of the flash-sale rate limits below (sliding; the client address follows CHECKOUT_TRUST_FORWARDED_FOR)'),
    buyUserLimit: entry('FLASH_BUY_USER_LIMIT', '5', integer(1), 'Buy calls one user may make per window (more → RESOURCE_EXHAUSTED)'),
    buyIpLimit: entry('FLASH_BUY_IP_LIMIT', '500', integer(1), 'Buy calls one client address may make per window'),
    tokenUserLimit: entry('FLASH_TOKEN_USER_LIMIT', '10', integer(1), 'IssueToken calls one user may make per window'),
    nonPayerThreshold: entry('FLASH_NON_PAYER_THRESHOLD', '3', integer(0), 'unpaid orders cancelled by timeout after which Buy refuses the user (BLOCKED); 0 = never'),
    nonPayerWindowMs: entry('FLASH_NON_PAYER_WINDOW_MS', '2592000000', ms(1000), 'how long a timeout cancel counts against a user (from the latest one)'),
    oneUnpaidOrder: entry('FLASH_ONE_UNPAID_ORDER', 'true', boolean(), 'refuse a Buy while the user holds an unpaid flash-sale order for the same item'),
  },
  shedding: {
    maxInFlight: entry('GRPC_MAX_IN_FLIGHT', '1000', integer(0), 'concurrent unary calls one gRPC server admits; more → RESOURCE_EXHAUSTED at once (0 = no cap)'),
    maxStreams: entry('GRPC_MAX_STREAMS', '10000', integer(0), 'concurrent server streams (WatchOrder) one gRPC server admits; more → RESOURCE_EXHAUSTED (0 = no cap)'),
    maxLoopDelayMs: entry('GRPC_SHED_LOOP_DELAY_MS', '0', integer(0, 60000), 'refuse new unary calls with UNAVAILABLE while the event loop lags more than this (p99 over 500 ms); 0 = off (the Helm chart turns it on)'),
  },
  breaker: {
    timeoutMs: entry('BREAKER_TIMEOUT_MS', '3000', ms(100), 'opossum timeout of an outgoing call; gRPC deadlines are capped below it so the server sees the cancellation first'),
    errorThresholdPercentage: entry('BREAKER_ERROR_THRESHOLD_PERCENT', '50', integer(1, 100), 'failure percentage in the rolling window that opens a breaker'),
    resetTimeoutMs: entry('BREAKER_RESET_TIMEOUT_MS', '10000', ms(1), 'how long an open breaker fails fast before letting one trial call through (half-open)'),
    volumeThreshold: entry('BREAKER_VOLUME_THRESHOLD', '10', integer(0), 'calls in the rolling window before a breaker may open at all'),
    rollingWindowMs: entry('BREAKER_ROLLING_WINDOW_MS', '10000', ms(100), 'statistics window of a breaker (failure percentage is computed over it)'),
  },
  idempotency: {
    lockTtlMs: entry('IDEMPOTENCY_LOCK_TTL_MS', '30000', ms(1000), 'an in-flight request holds its idempotency key this long; after a crash a retry may run it again'),
    resultTtlMs: entry('IDEMPOTENCY_RESULT_TTL_MS', '86400000', ms(1000), 'how long the reply to a client `idempotency-key` is replayed'),
    derivedTtlMs: entry('IDEMPOTENCY_DERIVED_TTL_MS', '600000', ms(1000), 'how long a reply is replayed for a request without `idempotency-key` (key = hash of method, user and request)'),
    waitMs: entry('IDEMPOTENCY_WAIT_MS', '5000', ms(), 'how long a concurrent duplicate waits for the first call before ALREADY_EXISTS "request in progress"'),
  },
  checkout: {
    rateWindowMs: entry('CHECKOUT_RATE_WINDOW_MS', '1000', ms(1), 'window of the PlaceOrder rate limits below (sliding)'),
    userLimit: entry('CHECKOUT_USER_LIMIT', '5', integer(1), 'PlaceOrder calls one user may make per window (more → RESOURCE_EXHAUSTED)'),
    ipLimit: entry('CHECKOUT_IP_LIMIT', '200', integer(1), 'PlaceOrder calls one client address may make per window'),
    trustForwardedFor: entry('CHECKOUT_TRUST_FORWARDED_FOR', 'false', boolean(), 'take the client address from x-forwarded-for (only behind a trusted gateway); else the TCP peer'),
    currencyCacheTtlMs: entry('CHECKOUT_CURRENCY_CACHE_TTL_MS', '60000', ms(), 'how long the supported-currency list from CurrencyService is reused (0 = ask every time)'),
  },
  gateway: {
    port: entry('GATEWAY_PORT', '8080', port(), 'HTTP + WebSocket gateway port (the sale page is http://127.0.0.1:8080/)'),
    host: entry('GATEWAY_HOST', '0.0.0.0', host(), 'interface the gateway binds to'),
    sessionSecret: entry('GATEWAY_SESSION_SECRET', '', text(), 'HMAC-SHA256 key of buyer session tokens (at least 32 characters); empty = the gateway refuses to start (`make run` generates one into .stack/gateway-session-secret)', 'secret'),
    sessionTtlMs: entry('GATEWAY_SESSION_TTL_MS', '86400000', ms(60_000), 'lifetime of a buyer session token'),
    hmacSecret: entry('GATEWAY_HMAC_SECRET', '', text(), 'key of the optional request signature (x-signature / x-signature-timestamp headers); empty = signing off', 'secret'),
    hmacMaxSkewMs: entry('GATEWAY_HMAC_MAX_SKEW_MS', '300000', ms(1000), 'how far a signed request\'s x-signature-timestamp may be from the gateway clock'),
    ipAllow: entry('GATEWAY_IP_ALLOW', '', addressList(), 'client addresses/CIDR blocks allowed, comma-separated; empty = everyone not denied'),
    ipDeny: entry('GATEWAY_IP_DENY', '', addressList(), 'client addresses/CIDR blocks refused with 403 (checked before the allow list)'),
    ratePerIp: entry('GATEWAY_RATE_PER_IP', '50', integer(1), 'requests per second one client address may make (token bucket in memory: per gateway replica)'),
    rateBurst: entry('GATEWAY_RATE_BURST', '100', integer(1), 'bucket size of the per-address limit (a burst this big is allowed at once)'),
    bodyLimitBytes: entry('GATEWAY_BODY_LIMIT_BYTES', '16384', integer(64, 10_485_760), 'largest request body accepted (more → 413)'),
    corsOrigins: entry('GATEWAY_CORS_ORIGINS', '', text(), 'origins allowed to call the API from another site, comma-separated (exact match); empty = CORS off'),
    trustProxy: entry('GATEWAY_TRUST_PROXY', 'false', trustProxy(), 'take the client address from X-Forwarded-For: false, true, a hop count, or the proxies\' addresses/CIDR blocks'),
    maxSockets: entry('GATEWAY_MAX_SOCKETS', '10000', integer(1), 'open order WebSockets per gateway replica (more → close 1013)'),
    maxSocketsPerIp: entry('GATEWAY_MAX_SOCKETS_PER_IP', '20', integer(1), 'open order WebSockets per client address (more → close 1013)'),
    longPollMaxMs: entry('GATEWAY_LONG_POLL_MAX_MS', '25000', ms(1000), 'longest wait of GET /api/orders/:id/poll (timeoutMs is capped to it), and of a payment sent before the just-accepted order reached MySQL'),
  },
  dashboard: {
    metricsTargets: entry('DASHBOARD_METRICS_TARGETS', '127.0.0.1:9464', hostPortList(), 'the /metrics endpoints (host:port, comma-separated) the operator dashboard scrapes for rates, backlogs, lag, breakers and the ledger verdict; `make run` serves every service on METRICS_PORT 9464'),
    scrapeTimeoutMs: entry('DASHBOARD_SCRAPE_TIMEOUT_MS', '800', ms(50), 'how long the dashboard waits for one /metrics endpoint (a slow one is shown as down)'),
    snapshotTtlMs: entry('DASHBOARD_SNAPSHOT_TTL_MS', '500', ms(), 'how long one dashboard snapshot is reused, so many open dashboards do not multiply scrapes and gRPC reads'),
  },
  cdc: {
    roles: entry('CDC_ROLES', 'reader,products,orders', subsetOf(CDC_ROLES, true), 'what the cdc process runs: the binlog reader, the product-change consumer, the order-change consumer; "none" = health only'),
    serverId: entry('CDC_SERVER_ID', '0', integer(0, 4_294_967_295), 'replication server id of the binlog reader: unique among everything connected to the MariaDB primary (its replicas included); 0 = a random id per start'),
    tables: entry('CDC_TABLES', 'products,orders', subsetOf(CDC_TABLES, false), 'tables of the MYSQL_URL database whose row changes are published'),
    topic: entry('CDC_TOPIC', 'row-changed', text(), 'FIFO topic of RowChanged events (message group = table:primary key)'),
    productGroup: entry('CDC_PRODUCT_GROUP', 'GID_cdc_products', text(), 'consumer group (FIFO) refreshing the product cache and Redis stock from product changes'),
    orderGroup: entry('CDC_ORDER_GROUP', 'GID_cdc_orders', text(), 'consumer group (FIFO) repairing buyer result keys from order changes'),
    checkpointIntervalMs: entry('CDC_CHECKPOINT_INTERVAL_MS', '1000', ms(), 'least time between two saves of the reader position (saved only after a transaction\'s events were sent; 0 = after every transaction)'),
    idleCheckpointMs: entry('CDC_IDLE_CHECKPOINT_MS', '60000', ms(1000), 'the position also moves past transactions with no watched rows, at most this often'),
    maxQueuedTransactions: entry('CDC_MAX_QUEUED_TRANSACTIONS', '10000', integer(1), 'transactions read but not yet sent before the reader pauses the binlog stream'),
    dedupeTtlMs: entry('CDC_DEDUPE_TTL_MS', '604800000', ms(60_000), 'how long consumers remember an applied change event (replays older than this would apply again)'),
    consumerBatch: entry('CDC_CONSUMER_BATCH', '32', integer(1, 100), 'change events per receive of the cdc consumers'),
  },
  ledger: {
    intervalMs: entry('LEDGER_INTERVAL_MS', '30000', ms(1000), 'how often the ledger service checks the invariants and refreshes the shop_ledger_* / shop_reconcile_* gauges'),
    windowMs: entry('LEDGER_WINDOW_MS', '86400000', ms(60000), 'orders accepted this long ago or less are checked one by one and reconciled per minute'),
    graceMs: entry('LEDGER_GRACE_MS', '300000', ms(0), 'an accepted order may wait this long for its MySQL row (and binlog insert) before it counts as missing'),
    reconcileAlertLagMs: entry('RECONCILE_ALERT_LAG_MS', '300000', ms(0), 'shop_reconcile_alert turns 1 when the accepted/persisted/binlog gap stayed above zero this long'),
    reconcileRetentionMs: entry('RECONCILE_RETENTION_MS', '172800000', ms(60000), 'how long the reconciliation sets keep an order id (keep above LEDGER_WINDOW_MS)'),
    binlogStage: entry('RECONCILE_BINLOG_STAGE', 'true', boolean(), 'reconcile against binlog order inserts recorded by the cdc worker; false when no cdc worker runs'),
  },
  grpcTls: {
    certFile: entry('GRPC_TLS_CERT_FILE', '', text(), 'PEM certificate chain every gRPC server presents; empty = plaintext gRPC (the default: a mesh or sidecar may add TLS). Set together with GRPC_TLS_KEY_FILE'),
    keyFile: entry('GRPC_TLS_KEY_FILE', '', text(), 'PEM private key of GRPC_TLS_CERT_FILE'),
    caFile: entry('GRPC_TLS_CA_FILE', '', text(), 'PEM CA bundle the gRPC clients (service to service) verify servers with; set = clients connect over TLS, empty = plaintext'),
  },
} as const satisfies Record<string, Record<string, ConfigEntry<unknown>>>;

export type ConfigSchema = typeof configSchema;
