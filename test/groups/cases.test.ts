/**
 * The case workflow: lifecycle, lists, routing, closes, caseload, concurrency: 9 suites in one jest file (see test/groups/README.md).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each suite loads inside its describe */
describe('case-close', () => {
  require('../case-close.spec');
});
describe('case-lifecycle', () => {
  require('../case-lifecycle.spec');
});
describe('case-lists', () => {
  require('../case-lists.spec');
});
describe('case-routing', () => {
  require('../case-routing.spec');
});
describe('cases', () => {
  require('../cases.spec');
});
describe('caseload-supervision', () => {
  require('../caseload-supervision.spec');
});
describe('workflow-gaps', () => {
  require('../workflow-gaps.spec');
});
describe('lifecycle', () => {
  require('../lifecycle.spec');
});
describe('concurrency', () => {
  require('../concurrency.spec');
});
