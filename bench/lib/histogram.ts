// Latency histogram with fixed memory and bounded relative error (log-linear buckets, the idea behind
// HdrHistogram): values below 128 are exact; above, each power of two is split into 64 buckets, so a
// reported percentile is within 1/128 (< 0.8 %) of a value actually recorded. Count, min, max and sum
// are exact. Units are whatever the caller records (the load loop records microseconds).

const EXACT = 128; // values 0..127 get a bucket each
const SUB = 64; // buckets per power of two above that
const MAX_VALUE = 2 ** 32 - 1; // clz32 range; 71 min in µs is beyond any latency we measure

export interface HistogramSnapshot {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

export interface Histogram {
  /** Records one non-negative value (rounded to an integer, capped at 2^32-1 for bucketing). */
  record(value: number): void;
  /** Nearest-rank percentile, p in [0, 100]; NaN when empty. */
  percentile(p: number): number;
  /** Adds every value of `other` to this histogram. */
  merge(other: Histogram): void;
  snapshot(): HistogramSnapshot;
  /** Internal bucket counts, for merge. */
  readonly buckets: ReadonlyMap<number, number>;
}

export function bucketOf(value: number): number {
  if (value < EXACT) return value;
  const shift = 32 - Math.clz32(value) - 7; // >= 1: keeps the 7 top bits
  const top = Math.floor(value / 2 ** shift); // 64..127
  return EXACT + (shift - 1) * SUB + (top - SUB);
}

/** [lowest, highest] value a bucket holds. */
export function bucketRange(bucket: number): readonly [number, number] {
  if (bucket < EXACT) return [bucket, bucket];
  const shift = Math.floor((bucket - EXACT) / SUB) + 1;
  const top = ((bucket - EXACT) % SUB) + SUB;
  const low = top * 2 ** shift;
  return [low, low + 2 ** shift - 1];
}

export function createHistogram(): Histogram {
  const buckets = new Map<number, number>();
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;

  const add = (bucket: number, n: number) => buckets.set(bucket, (buckets.get(bucket) ?? 0) + n);

  const h: Histogram = {
    buckets,
    record(value) {
      if (!Number.isFinite(value) || value < 0) throw new RangeError(`histogram values must be finite and >= 0, got ${value}`);
      const v = Math.round(value);
      add(bucketOf(Math.min(v, MAX_VALUE)), 1);
      count += 1;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    },
    percentile(p) {
      if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be 0-100, got ${p}`);
      if (count === 0) return NaN;
      const rank = Math.min(count, Math.max(1, Math.ceil((p / 100) * count)));
      let seen = 0;
      for (const bucket of [...buckets.keys()].sort((a, b) => a - b)) {
        seen += buckets.get(bucket) ?? 0;
        if (seen >= rank) {
          const [low, high] = bucketRange(bucket);
          // Midpoint of the bucket, never outside what was recorded (so p0 = min and p100 = max).
          return Math.min(max, Math.max(min, Math.round((low + high) / 2)));
        }
      }
      return max;
    },
    merge(other) {
      const s = other.snapshot();
      if (s.count === 0) return;
      for (const [bucket, n] of other.buckets) add(bucket, n);
      count += s.count;
      sum += s.mean * s.count;
      min = Math.min(min, s.min);
      max = Math.max(max, s.max);
    },
    snapshot() {
      return count === 0 ? { count: 0, min: NaN, max: NaN, mean: NaN } : { count, min, max, mean: sum / count };
    },
  };
  return h;
}
