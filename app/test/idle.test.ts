import { forgetActivity, idleTooLong, markActive } from '../src/offline/idle';

function storage() {
  const map = new Map<string, string>();
  return {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
}

describe('the idle wipe', () => {
  it('is due only after the configured minutes without use', () => {
    const s = storage();
    markActive(1_000_000, s);
    expect(idleTooLong(30, 1_000_000 + 29 * 60_000, s)).toBe(false);
    expect(idleTooLong(30, 1_000_000 + 31 * 60_000, s)).toBe(true);
  });
  it('a phone never used (or already wiped) has nothing to wipe', () => {
    const s = storage();
    markActive(5, s);
    forgetActivity(s);
    expect(idleTooLong(1, 10_000_000, s)).toBe(false);
  });
});
