import { randomInt } from 'node:crypto';

/** Uniform integer in [0, maxExclusive); injectable so tests can pin tracking ids and failures. */
export type RandomInt = (maxExclusive: number) => number;

export const cryptoRandomInt: RandomInt = (maxExclusive) => randomInt(maxExclusive);
