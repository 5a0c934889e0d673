// The gateway module: the browser's HTTP + WebSocket front door (GATEWAY_PORT) in front of the gRPC
// services: buyer JSON API, order WebSocket / long poll, static pages from web/, and the operator
// dashboard's admin API (dashboard/, its owner's routes). HTTP, not gRPC: `main all` does not start it
// unless named (`main all gateway`), and health is GET /healthz and /readyz.
import { breakerSettings, createBreakers } from '../../platform/breaker';
import { projectPath } from '../../platform/paths';
import type { RunningService, ServiceModule } from '../registry';
import type { Runtime } from '../runtime';
import { createGatewayClients } from './clients';
import { registerDashboardRoutes } from './dashboard';
import { createGateway, type Gateway, type RouteExtension } from './server';
import { gatewaySettings } from './settings';

export { createGateway, type Gateway, type GatewayDeps, type RouteExtension } from './server';
export { createGatewayClients, type GatewayClients, type GatewayAddresses, type CallCounter } from './clients';
export { gatewaySettings, type GatewaySettings } from './settings';
export { signRequest, SIGNATURE_HEADER, SIGNATURE_TIMESTAMP_HEADER } from './request-signing';
export { SESSION_COOKIE } from './session';

export const GATEWAY_SERVICE = 'gateway';

export const gatewayModule: ServiceModule = {
  name: GATEWAY_SERVICE,
  summary: 'HTTP + WebSocket gateway: sale page, buyer JSON API, order watch, operator dashboard',
  kind: 'http',
  port: config => config.gateway.port,
  async start(rt: Runtime): Promise<RunningService> {
    const settings = gatewaySettings(rt.config);
    const logger = rt.logger.child({ service: GATEWAY_SERVICE });
    const breakers = createBreakers({ settings: breakerSettings(rt.config), logger });
    const clients = createGatewayClients({
      addresses: { checkout: rt.config.addr.checkout, productCatalog: rt.config.addr.productCatalog, order: rt.config.addr.order },
      breakers,
      deadlineMs: settings.deadlineMs,
    });
    // DASHBOARD HOOK: the operator API (src/services/gateway/dashboard/) shares the gateway's breakers.
    const dashboard: RouteExtension = app => registerDashboardRoutes(app, { config: rt.config, logger, clock: rt.clock, breakers });
    const gateway: Gateway = createGateway({ settings, clients, clock: rt.clock, logger, webRoot: projectPath('web'), extensions: [dashboard] });
    rt.shutdown.register(`${GATEWAY_SERVICE}:http`, 'stop-accepting', () => gateway.stop());
    rt.shutdown.register(`${GATEWAY_SERVICE}:clients`, 'close', () => {
      clients.close();
      breakers.shutdown();
    });
    const port = await gateway.listen();
    return { name: GATEWAY_SERVICE, port };
  },
};
