/**
 * The statistics tiers, cells, fact table, exports and rollup: 6 suites in one jest file (see test/groups/README.md).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each suite loads inside its describe */
describe('stats-tiers', () => {
  require('../stats-tiers.spec');
});
describe('stats-cells', () => {
  require('../stats-cells.spec');
});
describe('stats-fact', () => {
  require('../stats-fact.spec');
});
describe('stats-export', () => {
  require('../stats-export.spec');
});
describe('stats-rollup', () => {
  require('../stats-rollup.spec');
});
describe('disclosure', () => {
  require('../disclosure.spec');
});
