/**
 * NEMSIS and RMS imports, the ingest endpoint: 5 suites in one jest file (see test/groups/README.md).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each suite loads inside its describe */
describe('import-rms', () => {
  require('../import-rms.spec');
});
describe('import-mapping', () => {
  require('../import-mapping.spec');
});
describe('import-nemsis', () => {
  require('../import-nemsis.spec');
});
describe('import-nemsis-tac', () => {
  require('../import-nemsis-tac.spec');
});
describe('ingest', () => {
  require('../ingest.spec');
});
