/**
 * Resources, the dashboard, statement counts, benchmark switch, module boundaries: 6 suites in one jest file (see test/groups/README.md).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each suite loads inside its describe */
describe('resources', () => {
  require('../resources.spec');
});
describe('resources-opening-hours', () => {
  require('../resources-opening-hours.spec');
});
describe('dashboard', () => {
  require('../dashboard.spec');
});
describe('list-statements', () => {
  require('../list-statements.spec');
});
describe('bench-switch', () => {
  require('../bench-switch.spec');
});
describe('module-boundaries', () => {
  require('../module-boundaries.spec');
});
