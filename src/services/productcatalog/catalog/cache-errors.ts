/** A cache entry this code cannot read (written by another version, or corrupted): treated as a miss. */
export class CatalogProductShapeError extends Error {
  override readonly name = 'CatalogProductShapeError';
  constructor() {
    super('cached catalog entry has an unexpected shape');
  }
}
