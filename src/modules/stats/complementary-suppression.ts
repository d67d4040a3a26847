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
  // trimmed text and never hold it). Indexed once per dimension (a table of a thousand cells
  // has a hundred margins: one pass each over every cell would be a hundred thousand).
  const id = (g: number, keys: ReadonlyArray<string | null>, dim: number) => {
    let text = String(g);
    for (let i = 0; i < keys.length; i++)
      text += i === dim || keys[i] === null ? '\u0001\u0000' : `\u0001${keys[i]}`;
    return text;
  };
  // The cells in one order whatever order the statement returned them in (by bitmask, then
  // keys; a rolled-up null first): which cell a relation hides can depend on the order (the
  // first of equal children; a cell hidden for one margin can settle another), and the cells
  // and the fact table must give the same table.
  const order = cells.map((_, i) => i).sort((a, b) => compareCells(cells[a], cells[b]));
  const rank = new Array<number>(cells.length);
  order.forEach((i, r) => (rank[i] = r));
  for (let dim = 0; dim < dimensions; dim++) {
    const bit = 1 << dim;
    const index = new Map<string, number[]>();
    for (const i of order) {
      const key = id(cells[i].g, cells[i].keys, dim);
      const list = index.get(key);
      if (list) list.push(i);
      else index.set(key, [i]);
    }
    for (const p of order) {
      if ((cells[p].g & bit) === 0) continue;
      const children = index.get(id(cells[p].g & ~bit, cells[p].keys, dim));
      if (children?.length) relations.push([p, children]);
    }
  }
  // Parent by parent (each parent's dimensions in order; the sort is stable).
  return relations.sort((a, b) => rank[a[0]] - rank[b[0]]);
}

function compareCells(
  a: Pick<SuppressionCell, 'g' | 'keys'>,
  b: Pick<SuppressionCell, 'g' | 'keys'>,
): number {
  if (a.g !== b.g) return a.g - b.g;
  for (let i = 0; i < a.keys.length; i++) {
    const x = a.keys[i];
    const y = b.keys[i];
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
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
