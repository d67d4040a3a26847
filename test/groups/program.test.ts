/**
 * The program model: more doors in, 42 CFR Part 2, query limits: 3 suites in one jest file (see test/groups/README.md).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each suite loads inside its describe */
describe('more-doors', () => {
  require('../more-doors.spec');
});
describe('part2', () => {
  require('../part2.spec');
});
describe('query-limits', () => {
  require('../query-limits.spec');
});
