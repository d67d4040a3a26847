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
 * The margins of a table and, for each, the cells one level below it along one dimension, which
 * add up to it: those with the parent's bitmask less that dimension and the parent's keys on
 * every other dimension (rolled-up ones are null on both sides). By cell index. The relations
 * depend on the table's shape only, so a table works them out once for all its counts.
 */
export type SuppressionRelations = ReadonlyArray<readonly [parent: number, children: number[]]>;

export function suppressionRelations(
  cells: ReadonlyArray<Pick<SuppressionCell, 'g' | 'keys'>>,
  dimensions: number,
): SuppressionRelations {
  const relations: Array<[number, number[]]> = [];
  // The key of a cell with dimension `dim` left out ('\u0000' for a rolled-up null: keys are
  // trimmed text and never hold it). Indexed once per dimension, in the cells' order (a table
  // of a thousand cells has a hundred margins: one pass each over every cell would be a
  // hundred thousand).
  const id = (g: number, keys: ReadonlyArray<string | null>, dim: number) => {
    let text = String(g);
    for (let i = 0; i < keys.length; i++)
      text += i === dim || keys[i] === null ? '\u0001\u0000' : `\u0001${keys[i]}`;
    return text;
  };
  for (let dim = 0; dim < dimensions; dim++) {
    const bit = 1 << dim;
    const index = new Map<string, number[]>();
    cells.forEach((cell, i) => {
      const key = id(cell.g, cell.keys, dim);
      const list = index.get(key);
      if (list) list.push(i);
      else index.set(key, [i]);
    });
    cells.forEach((parent, p) => {
      if ((parent.g & bit) === 0) return;
      const children = index.get(id(parent.g & ~bit, parent.keys, dim));
      if (children?.length) relations.push([p, children]);
    });
  }
  // In the order of the parents (as they were found before the relations were precomputed).
  return relations.sort((a, b) => a[0] - b[0]);
}

/**
 * Hides cells of one count (`values`, `hidden` by cell index; `hidden` is updated) until no
 * margin minus its published cells gives 1..max back.
 */
export function suppressComplementsOf(
  relations: SuppressionRelations,
  values: ArrayLike<number>,
  hidden: boolean[],
  max: number,
): void {
  let changed = true;
  while (changed) {
    changed = false;
    for (const [parent, children] of relations) {
      if (hidden[parent]) continue;
      let anyHidden = false;
      let recoverable = 0;
      // The smallest published non-zero child (the first of equals).
      let next = -1;
      for (const c of children) {
        if (hidden[c]) {
          anyHidden = true;
          recoverable += values[c];
        } else if (values[c] > 0 && (next < 0 || values[c] < values[next])) {
          next = c;
        }
      }
      if (!anyHidden || recoverable < 1 || recoverable > max) continue;
      hidden[next >= 0 ? next : parent] = true;
      changed = true;
    }
  }
}

/** Hides cells of one count until no margin minus its published cells gives 1..max back. */
export function suppressComplements(
  cells: SuppressionCell[],
  dimensions: number,
  max: number,
): void {
  const hidden = cells.map((c) => c.hidden);
  suppressComplementsOf(
    suppressionRelations(cells, dimensions),
    cells.map((c) => c.value),
    hidden,
    max,
  );
  cells.forEach((c, i) => (c.hidden = hidden[i]));
}
