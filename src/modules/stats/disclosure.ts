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
