import { cellKey, perturb } from './cell-key';

/**
 * Two tiers of numbers (DESIGN.md). Internal: an agency's own operational data, exact, marked
 * `internal` and audited. Shared: everything that crosses agencies or leaves the hub, under the
 * disclosure rule — a cell whose true count is 1..threshold is suppressed, every other non-empty
 * cell is published perturbed by its cell key (cell-key.ts), and suppressed again when the
 * perturbed value falls to the threshold or below. docs/disclosure.md has the method.
 */
export type Tier = 'internal' | 'shared';

export interface PublishedCount {
  value: number | null;
  suppressed: boolean;
  /** Exact operational data of the caller's own agency (not for publication). */
  internal: boolean;
}

/** Counts 1..10 are suppressed by default; NC DETECT's 1..4 is the lowest setting allowed. */
export const SMALL_CELL_MAX = 10;
export const SMALL_CELL_MAX_FLOOR = 4;
export const UNSTABLE_NUMERATOR_MAX = 20;

/** The published thresholds (configuration: STATS_SMALL_CELL_MAX, STATS_UNSTABLE_NUMERATOR_MAX). */
export interface DisclosureRules {
  smallCellMax: number;
  unstableNumeratorMax: number;
  /** Query-overlap control (overlap-guard.ts); its defaults when absent. */
  overlap?: { windowDays: number; maxRegions: number };
}

export const DEFAULT_DISCLOSURE: DisclosureRules = {
  smallCellMax: SMALL_CELL_MAX,
  unstableNumeratorMax: UNSTABLE_NUMERATOR_MAX,
};

const SUPPRESSED: PublishedCount = { value: null, suppressed: true, internal: false };

/** An exact count of the caller's own operational data. */
export function publishInternal(value: number): PublishedCount {
  return { value, suppressed: false, internal: true };
}

/**
 * A shared count: `keySum` is the sum of its records' keys. Zero stays zero (it describes no
 * one); a true count under the threshold, or a perturbed one that falls to it, is suppressed.
 */
export function publishShared(
  value: number,
  keySum: number | string | bigint,
  max = SMALL_CELL_MAX,
): PublishedCount {
  if (value === 0) return { value: 0, suppressed: false, internal: false };
  if (value <= max) return SUPPRESSED;
  const perturbed = perturb(value, cellKey(keySum));
  if (perturbed <= max) return SUPPRESSED;
  return { value: perturbed, suppressed: false, internal: false };
}

export interface PublishedRate {
  value: number | null;
  suppressed: boolean;
  unstable: boolean;
}

/**
 * A share or ratio of two published counts (perturbed ones for shared tables): hidden when either
 * is hidden, empty on a zero denominator, unstable on a small numerator.
 */
export function publishRate(
  numerator: PublishedCount,
  denominator: PublishedCount,
  rules: DisclosureRules = DEFAULT_DISCLOSURE,
): PublishedRate {
  if (numerator.suppressed || denominator.suppressed) {
    return { value: null, suppressed: true, unstable: false };
  }
  const n = numerator.value ?? 0;
  const d = denominator.value ?? 0;
  if (d === 0) return { value: null, suppressed: false, unstable: false };
  return {
    value: Math.round((n / d) * 10_000) / 10_000,
    suppressed: false,
    unstable: n <= rules.unstableNumeratorMax,
  };
}

/**
 * A lone count with no table around it and no record keys (a spike alert's count): suppressed
 * from 1 to the threshold, else shown as is.
 */
export function publishCount(value: number, max = SMALL_CELL_MAX): PublishedCount {
  return value >= 1 && value <= max ? SUPPRESSED : { value, suppressed: false, internal: false };
}
