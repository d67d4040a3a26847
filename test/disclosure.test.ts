import { suppressColumn, publishCount } from '../src/modules/stats/disclosure';

describe('disclosure control', () => {
  it('publishes zero and counts above ten, hides 1 to 10', () => {
    expect([0, 1, 10, 11].map((n) => publishCount(n))).toEqual([
      { value: 0, suppressed: false },
      { value: null, suppressed: true },
      { value: null, suppressed: true },
      { value: 11, suppressed: false },
    ]);
  });

  it('hides a partner cell when only one cell of a column is small, so the total cannot give it back', () => {
    const { cells, total } = suppressColumn([40, 3, 25, 0]);
    expect(cells.map((c) => c.value)).toEqual([40, null, null, 0]);
    expect(total).toEqual({ value: 68, suppressed: false });
  });

  it('hides the total when the single small cell has no partner', () => {
    const { cells, total } = suppressColumn([0, 4, 0]);
    expect(cells.map((c) => c.value)).toEqual([0, null, 0]);
    expect(total.suppressed).toBe(true);
  });

  it('needs no partner when two cells are already hidden', () => {
    const { cells, total } = suppressColumn([30, 2, 5, 20]);
    expect(cells.map((c) => c.value)).toEqual([30, null, null, 20]);
    expect(total.value).toBe(57);
  });

  it('never lets a hidden cell be recovered as total minus the visible cells', () => {
    for (let seed = 0; seed < 500; seed++) {
      const cells = Array.from(
        { length: 12 },
        (_, i) => ((seed * 7919 + i * 104729) % 37) * (i % 3 === 0 ? 0 : 1),
      );
      const published = suppressColumn(cells);
      const hidden = published.cells.filter((c) => c.suppressed).length;
      if (!published.total.suppressed) expect(hidden === 0 || hidden >= 2).toBe(true);
    }
  });
});
