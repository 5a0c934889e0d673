// The services main can start by name. Each module owns its folder under src/services/<name>/
// and exposes one ServiceModule; `all` starts every module in this table's order.
import type { Config } from '../platform/config';
import type { Runtime } from './runtime';
import { cartModule } from './cart';
import { cdcModule } from './cdc';
import { checkoutModule } from './checkout';
import { currencyModule } from './currency';
import { emailModule } from './email';
import { gatewayModule } from './gateway';
import { ledgerModule } from './ledger';
import { orderModule } from './order';
import { paymentModule } from './payment';
import { productCatalogModule } from './productcatalog';
import { shippingModule } from './shipping';

export interface RunningService {
  readonly name: string;
  /** Bound gRPC port (matters when the configured port is 0). */
  readonly port: number;
}

export interface ServiceModule {
  readonly name: string;
  readonly summary: string;
  /**
   * 'grpc' (default): gRPC health on port(). 'http': an HTTP server (health at GET /healthz, /readyz),
   * listed in httpModules: started only when named, since `all` means every gRPC service.
   */
  readonly kind?: 'grpc' | 'http';
  /** The configured port (smoke checks and docs use it). */
  port(config: Readonly<Config>): number;
  start(rt: Runtime): Promise<RunningService>;
}

/** Modules register here; the order is start order (dependencies first). */
export const serviceModules: readonly ServiceModule[] = [
  currencyModule,
  shippingModule,
  emailModule,
  paymentModule,
  cartModule,
  productCatalogModule,
  orderModule,
  checkoutModule,
  ledgerModule,
  cdcModule,
];

/** HTTP front doors: started only when named (`main all gateway`), never by `all` alone. */
export const httpModules: readonly ServiceModule[] = [gatewayModule];

const knownModules = (): readonly ServiceModule[] => [...serviceModules, ...httpModules];

export function serviceNames(): string[] {
  return serviceModules.map(m => m.name);
}

/** A bad command line (unknown service name): printed as one line by main. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Resolves CLI names ("all" or a list) to modules; unknown names are an error naming them. */
export function selectServices(names: readonly string[]): ServiceModule[] {
  const wanted = names.length === 0 || names.includes('all') ? [...new Set([...serviceNames(), ...names.filter(n => n !== 'all')])] : [...new Set(names)];
  const known = knownModules();
  const unknown = wanted.filter(n => !known.some(m => m.name === n));
  if (unknown.length > 0) {
    throw new UsageError(`unknown service(s): ${unknown.join(', ')} (known: ${known.map(m => m.name).join(', ') || 'none'}, all)`);
  }
  // HTTP modules last: they call the gRPC services started in the same process.
  return known.filter(m => wanted.includes(m.name));
}
