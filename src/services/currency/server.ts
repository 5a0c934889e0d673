import { CurrencyServiceService } from '../../gen/hipstershop/demo';
import { InvalidArgumentError } from '../../platform/errors';
import type { AsyncServiceImpl } from '../../platform/grpc-server';
import type { CurrencyConverter } from './converter';

/** hipstershop.CurrencyService handlers; typed errors are mapped to gRPC status by the platform. */
export function createCurrencyHandlers(converter: CurrencyConverter): AsyncServiceImpl<typeof CurrencyServiceService> {
  return {
    getSupportedCurrencies: () => ({ currencyCodes: converter.supportedCurrencies() }),
    convert: (req) => {
      if (req.from === undefined) throw new InvalidArgumentError('from', 'is required');
      return converter.convert(req.from, req.toCode);
    },
  };
}
