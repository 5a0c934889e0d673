import { NotFoundError } from '../../../platform/errors';

/** Same text as upstream's Go service ("no product with ID %s"), so clients matching on it keep working. */
export class ProductNotFoundError extends NotFoundError {
  constructor(readonly productId: string) {
    super(`no product with ID ${productId}`);
  }
}
