import { publishCount } from '../src/modules/stats/disclosure';

describe('a lone count (spike alerts)', () => {
  it('publishes zero and counts above ten, hides 1 to 10', () => {
    expect([0, 1, 10, 11].map((n) => publishCount(n))).toEqual([
      { value: 0, suppressed: false, internal: false },
      { value: null, suppressed: true, internal: false },
      { value: null, suppressed: true, internal: false },
      { value: 11, suppressed: false, internal: false },
    ]);
  });
});
