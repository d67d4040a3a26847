/**
 * The research tier: schema, endpoint, extract, generalisation, CLI: 5 suites in one jest file (see test/groups/README.md).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each suite loads inside its describe */
describe('research-cli', () => {
  require('../research-cli.spec');
});
describe('research-generalise', () => {
  require('../research-generalise.spec');
});
describe('research-schema', () => {
  require('../research-schema.spec');
});
describe('research-endpoint', () => {
  require('../research-endpoint.spec');
});
describe('research-extract', () => {
  require('../research-extract.spec');
});
