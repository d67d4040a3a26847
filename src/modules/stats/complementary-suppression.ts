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

/**
 * The cells one level below a parent along dimension `dim`, which add up to it: those with the
 * parent's bitmask less `dim` and the parent's keys on every other dimension (rolled-up ones are
 * null on both sides). Indexed once per dimension, in the cells' order (a table of a thousand
 * cells has a hundred margins: one pass each over every cell would be a hundred thousand).
 */
function childIndex(
  cells: readonly SuppressionCell[],
  dim: number,
): (parent: SuppressionCell) => SuppressionCell[] {
  const id = (g: number, keys: ReadonlyArray<string | null>) =>
    JSON.stringify([g, keys.map((k, i) => (i === dim ? null : k))]);
  const index = new Map<string, SuppressionCell[]>();
  for (const cell of cells) {
    const key = id(cell.g, cell.keys);
    const list = index.get(key);
    if (list) list.push(cell);
    else index.set(key, [cell]);
  }
  return (parent) => index.get(id(parent.g & ~(1 << dim), parent.keys)) ?? [];
}

/** Hides cells of one count until no margin minus its published cells gives 1..max back. */
export function suppressComplements(
  cells: SuppressionCell[],
  dimensions: number,
  max: number,
): void {
  const relations: Array<[SuppressionCell, SuppressionCell[]]> = [];
  const childrenOf = Array.from({ length: dimensions }, (_, dim) => childIndex(cells, dim));
  for (const parent of cells) {
    for (let dim = 0; dim < dimensions; dim++) {
      if ((parent.g & (1 << dim)) === 0) continue;
      const children = childrenOf[dim](parent);
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
