/**
 * Secondary (complementary) suppression inside one shared table (docs/disclosure.md). A margin
 * is the sum of its cells, so a published margin minus its published cells gives back the sum of
 * the hidden ones: when that sum is 1..threshold, it is a small count recovered by subtraction
 * (blurred only by the perturbation of a few cells). Such a relation gets one more hidden cell:
 * the smallest published non-zero child, or the margin itself when no child is left to hide.
 * Repeated until no relation leaks, since hiding a cell can open another relation it belongs to.
 */
export interface SuppressionCell {
  /** The GROUPING bitmask: bit i set = dimension i rolled up (0 = an inner cell). */
  g: number;
  /** The cell's value for each dimension (null where rolled up). */
  keys: ReadonlyArray<string | null>;
  /** The true count (or weighted sum). */
  value: number;
  hidden: boolean;
}

/** The cells one level below `parent` along dimension `dim`, which add up to it. */
function childrenOf(
  cells: readonly SuppressionCell[],
  parent: SuppressionCell,
  dim: number,
): SuppressionCell[] {
  const g = parent.g & ~(1 << dim);
  // Rolled-up dimensions are null on both sides; the others must match.
  return cells.filter(
    (c) => c.g === g && c.keys.every((k, i) => i === dim || k === parent.keys[i]),
  );
}

/** Hides cells of one count until no margin minus its published cells gives 1..max back. */
export function suppressComplements(
  cells: SuppressionCell[],
  dimensions: number,
  max: number,
): void {
  const relations: Array<[SuppressionCell, SuppressionCell[]]> = [];
  for (const parent of cells) {
    for (let dim = 0; dim < dimensions; dim++) {
      if ((parent.g & (1 << dim)) === 0) continue;
      const children = childrenOf(cells, parent, dim);
      if (children.length) relations.push([parent, children]);
    }
  }
  let changed = true;
  while (changed) {
    changed = false;
    for (const [parent, children] of relations) {
      if (parent.hidden) continue;
      const hidden = children.filter((c) => c.hidden);
      if (!hidden.length) continue;
      const recoverable = hidden.reduce((sum, c) => sum + c.value, 0);
      if (recoverable < 1 || recoverable > max) continue;
      const next = children
        .filter((c) => !c.hidden && c.value > 0)
        .sort((a, b) => a.value - b.value)[0];
      (next ?? parent).hidden = true;
      changed = true;
    }
  }
}
