/**
 * Disclosure control for published counts (domain.md §6.5): a count from 1 to the threshold
 * (10 by default) is never published, and neither is any cell from which a suppressed one could
 * be worked back out of a published total.
 */
export interface PublishedCount {
  value: number | null;
  suppressed: boolean;
}

export const SMALL_CELL_MAX = 10;

const isSmall = (n: number, max: number) => n >= 1 && n <= max;

/**
 * Suppresses one column of cells that add up to a published total. Primary: every small cell.
 * Complementary: with exactly one hidden cell, total minus the visible cells would give it back,
 * so the smallest other non-zero cell is hidden too — or, with no such partner, the total.
 */
export function suppressColumn(
  cells: readonly number[],
  max = SMALL_CELL_MAX,
): { cells: PublishedCount[]; total: PublishedCount } {
  const hidden = cells.map((n) => isSmall(n, max));
  const total = cells.reduce((a, b) => a + b, 0);
  let hideTotal = isSmall(total, max);
  if (hidden.filter(Boolean).length === 1) {
    const partner = cells
      .map((n, i) => ({ n, i }))
      .filter(({ n, i }) => !hidden[i] && n > 0)
      .sort((a, b) => a.n - b.n)[0];
    if (partner) hidden[partner.i] = true;
    else hideTotal = true;
  }
  return {
    cells: cells.map((n, i) => publish(n, hidden[i])),
    total: publish(total, hideTotal),
  };
}

export function publish(value: number, hide: boolean): PublishedCount {
  return hide ? { value: null, suppressed: true } : { value, suppressed: false };
}

/** A single count with no table around it. */
export function publishCount(value: number, max = SMALL_CELL_MAX): PublishedCount {
  return publish(value, isSmall(value, max));
}

export const UNSTABLE_NUMERATOR_MAX = 20;

/** The published thresholds; configuration may raise them, never lower them. */
export interface DisclosureRules {
  smallCellMax: number;
  unstableNumeratorMax: number;
}

export const DEFAULT_DISCLOSURE: DisclosureRules = {
  smallCellMax: SMALL_CELL_MAX,
  unstableNumeratorMax: UNSTABLE_NUMERATOR_MAX,
};

/** `total` = the sum of `parts`: indexes into one table's cells (margins included). */
export interface Additivity {
  total: number;
  parts: number[];
}

/**
 * Which cells of a table with published margins must be hidden. Primary: every small cell.
 * Complementary: every additivity relation (a row, a column, the grand total over either margin)
 * that would have exactly one hidden member gets a second one — the smallest non-zero visible
 * part, or the total when no part qualifies — repeated until no relation has a single unknown,
 * so no hidden cell equals a published total minus published cells. Zero cells stay published:
 * a zero reveals no one.
 */
export function suppressTable(
  values: readonly number[],
  relations: readonly Additivity[],
  max = SMALL_CELL_MAX,
): boolean[] {
  const hidden = values.map((n) => isSmall(n, max));
  for (let changed = true; changed;) {
    changed = false;
    for (const { total, parts } of relations) {
      const members = [total, ...parts];
      if (members.filter((i) => hidden[i]).length !== 1) continue;
      const partner = parts
        .filter((i) => !hidden[i] && values[i] > 0)
        .sort((a, b) => values[a] - values[b])[0];
      if (partner !== undefined) hidden[partner] = true;
      else if (!hidden[total]) hidden[total] = true;
      else continue;
      changed = true;
    }
  }
  return hidden;
}

export interface PublishedRate {
  value: number | null;
  suppressed: boolean;
  unstable: boolean;
}

/**
 * A share or ratio of two table cells: hidden when either is hidden (value × denominator would
 * give the hidden numerator back), empty on a zero denominator, unstable on a small numerator.
 */
export function publishRate(
  numerator: number,
  numeratorHidden: boolean,
  denominator: number,
  denominatorHidden: boolean,
  rules: DisclosureRules = DEFAULT_DISCLOSURE,
): PublishedRate {
  if (numeratorHidden || denominatorHidden)
    return { value: null, suppressed: true, unstable: false };
  if (denominator === 0) return { value: null, suppressed: false, unstable: false };
  return {
    value: Math.round((numerator / denominator) * 10_000) / 10_000,
    suppressed: false,
    unstable: numerator <= rules.unstableNumeratorMax,
  };
}
