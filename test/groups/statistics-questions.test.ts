/**
 * The statistics questions: aggregates, calendars, dimensions, disclosure, KPIs, population: 6 suites in one jest file (see test/groups/README.md).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each suite loads inside its describe */
describe('stats-aggregates', () => {
  require('../stats-aggregates.spec');
});
describe('stats-calendar', () => {
  require('../stats-calendar.spec');
});
describe('stats-dimensions', () => {
  require('../stats-dimensions.spec');
});
describe('stats-disclosure', () => {
  require('../stats-disclosure.spec');
});
describe('stats-kpis', () => {
  require('../stats-kpis.spec');
});
describe('stats-population', () => {
  require('../stats-population.spec');
});
