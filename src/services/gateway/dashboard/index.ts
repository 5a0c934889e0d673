// Operator dashboard routes on the gateway (admin bearer token): one JSON snapshot per refresh for
// web/dashboard/, and the dead-letter list + replay. Errors are thrown as typed errors (or the gRPC
// ServiceError of a dependency) and mapped to HTTP by the gateway's one error handler.
import type { FastifyInstance } from 'fastify';
import { breakerSettings, createBreakers, type Breakers } from '../../../platform/breaker';
import { systemClock, type Clock } from '../../../platform/clock';
import type { Config } from '../../../platform/config';
import { InvalidArgumentError } from '../../../platform/errors';
import type { Logger } from '../../../platform/logger';
import { createAdminHttpGuard } from './admin-http-guard';
import { createGrpcDashboardSources, type DashboardSources } from './dashboard-sources';
import { createDashboard } from './dashboard-snapshot';
import { createMetricsScraper, type Scraper } from './metrics-scraper';

export type { DashboardSnapshot, LedgerVerdict } from './dashboard-snapshot';
export type { DashboardSources, ItemStock, DeadLetterJson, DeadLetterPage, ReplayJson } from './dashboard-sources';

export interface DashboardDeps {
  /** Reads admin.token, addr.{checkout,productCatalog,order}, rpc.deadlineMs, breaker.*, dashboard.*. */
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** The gateway's breakers (so the dashboard's calls share their state and metrics); default: a set of its own. */
  readonly breakers?: Breakers;
  /** Test seams: the gRPC reads and the /metrics scrape (default: built from config). */
  readonly sources?: DashboardSources;
  readonly scrape?: Scraper;
}

const MAX_PAGE = 100;
const ID_RE = /^[0-9]{1,19}$/;

export function registerDashboardRoutes(app: FastifyInstance, deps: DashboardDeps): void {
  const { config } = deps;
  const logger = deps.logger.child({ component: 'dashboard' });
  const ownBreakers = deps.breakers ? undefined : createBreakers({ settings: breakerSettings(config), logger });
  const breakers = deps.breakers ?? (ownBreakers as Breakers);
  const sources = deps.sources ?? createGrpcDashboardSources(config, breakers);
  const dashboard = createDashboard({
    sources,
    scrape: deps.scrape ?? createMetricsScraper(config.dashboard.metricsTargets, config.dashboard.scrapeTimeoutMs),
    clock: deps.clock ?? systemClock,
    logger,
    ttlMs: config.dashboard.snapshotTtlMs,
  });
  const checkAdmin = createAdminHttpGuard(config.admin.token);

  app.addHook('onClose', async () => {
    sources.close();
    ownBreakers?.shutdown();
  });

  void app.register(async scope => {
    scope.addHook('onRequest', async request => {
      checkAdmin(request.headers.authorization);
    });
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.header('cache-control', 'no-store');
      return payload;
    });

    scope.get('/api/admin/dashboard', async () => dashboard.snapshot());

    scope.get<{ Querystring: { pageSize?: string } }>('/api/admin/dead-letters', async request => {
      const raw = request.query.pageSize ?? '20';
      const pageSize = Number(raw);
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE) {
        throw new InvalidArgumentError('pageSize', `must be an integer 1-${MAX_PAGE}`);
      }
      return sources.deadLetters(pageSize);
    });

    scope.post<{ Params: { id: string } }>('/api/admin/dead-letters/:id/replay', async request => {
      const { id } = request.params;
      if (!ID_RE.test(id)) throw new InvalidArgumentError('id', 'must be a decimal dead letter id');
      const result = await sources.replayDeadLetter(BigInt(id));
      logger.info({ deadLetterId: id, newMessageId: result.newMessageId, alreadyReplayed: result.alreadyReplayed }, 'dead letter replayed from the dashboard');
      return result;
    });
  });
}
