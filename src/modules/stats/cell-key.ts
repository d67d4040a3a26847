/**
 * Cell-key perturbation (docs/disclosure.md), as national statistics offices use it (ABS
 * TableBuilder, ONS census tables). Every counted unit carries a permanent random record key,
 * an integer in [0, 2^20). A cell's key is the sum of its records' keys modulo 2^20; its noise is
 * read from the published perturbation table at that key. The same records therefore always get
 * the same noise, whichever query, filter or grouping produced the cell; two overlapping cells
 * get unrelated noise, so subtracting them leaves the noise of both in the difference.
 */
export const KEY_BITS = 20;
export const KEY_SPACE = 2 ** KEY_BITS;

/** One row of the perturbation table: noise values with their probabilities (summing to 1). */
export interface PerturbationRow {
  /** The row applies to true counts from this value up (to the next row's). */
  from: number;
  noise: ReadonlyArray<readonly [noise: number, probability: number]>;
}

/**
 * The published table. Counts of 1 and 2 never become 0 (a false zero would tell that the cell
 * was small); from 3 on the noise is symmetric, mean 0, variance 0.8, never more than ±2.
 * Shared cells of 1..threshold are suppressed anyway, so in practice only the last row is used.
 */
export const PERTURBATION_TABLE: readonly PerturbationRow[] = [
  {
    from: 1,
    noise: [
      [0, 0.8],
      [1, 0.15],
      [2, 0.05],
    ],
  },
  {
    from: 2,
    noise: [
      [-1, 0.1],
      [0, 0.7],
      [1, 0.15],
      [2, 0.05],
    ],
  },
  {
    from: 3,
    noise: [
      [-2, 0.05],
      [-1, 0.2],
      [0, 0.5],
      [1, 0.2],
      [2, 0.05],
    ],
  },
];

/** The largest absolute noise of the table, and the expected error of counts of 3 and more. */
export const PERTURBATION_MAX_NOISE = 2;
export const PERTURBATION_VARIANCE = 0.8;

/** A cell's key from the sum of its records' keys (any integer, as PostgreSQL's bigint sum). */
export function cellKey(keySum: number | string | bigint): number {
  // Key sums of up to 2^53 (8 billion records' keys) are exact as numbers: no BigInt needed.
  if (typeof keySum !== 'bigint') {
    const n = Number(keySum);
    if (Number.isSafeInteger(n) && (typeof keySum === 'number' || /^-?\d+$/.test(keySum))) {
      return ((n % KEY_SPACE) + KEY_SPACE) % KEY_SPACE;
    }
  }
  const sum = BigInt(keySum);
  const space = BigInt(KEY_SPACE);
  return Number(((sum % space) + space) % space);
}

/** The noise the table assigns to a true count `n` with cell key `key` (0 for n = 0). */
export function noiseFor(n: number, key: number): number {
  if (n <= 0) return 0;
  const row = [...PERTURBATION_TABLE].reverse().find((r) => n >= r.from)!;
  const position = (key + 0.5) / KEY_SPACE;
  let cumulative = 0;
  for (const [noise, probability] of row.noise) {
    cumulative += probability;
    if (position < cumulative) return noise;
  }
  return row.noise[row.noise.length - 1][0];
}

/** The perturbed count: never below 1 for a non-empty cell, 0 for an empty one. */
export function perturb(n: number, key: number): number {
  if (n <= 0) return 0;
  return Math.max(1, n + noiseFor(n, key));
}

/** Hours (medians, 90th percentiles) of a shared cell move by at most this share either way. */
export const HOURS_MAX_RELATIVE_NOISE = 0.1;

/**
 * Shared hours perturbed by the cell key of their basis count: a factor in [0.9, 1.1] read at a
 * second position of the key (a multiplicative hash, so it is unrelated to the count's noise).
 * The same records give the same factor; overlapping cells get unrelated ones. Rounded to 0.1 h.
 */
export function perturbHours(hours: number, key: number): number {
  const position = (((key * 2_654_435_761) % KEY_SPACE) + 0.5) / KEY_SPACE;
  const factor = 1 + (2 * position - 1) * HOURS_MAX_RELATIVE_NOISE;
  return Math.round(hours * factor * 10) / 10;
}
