/**
 * HTTP, tokens, keys, metrics, limits, errors and input validation: 10 suites in one jest file (see test/groups/README.md).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each suite loads inside its describe */
describe('http', () => {
  require('../http.spec');
});
describe('trust-proxy', () => {
  require('../trust-proxy.spec');
});
describe('graphql-http-audit', () => {
  require('../graphql-http-audit.spec');
});
describe('metrics', () => {
  require('../metrics.spec');
});
describe('jwks', () => {
  require('../jwks.spec');
});
describe('api-keys', () => {
  require('../api-keys.spec');
});
describe('config', () => {
  require('../config.spec');
});
describe('error-codes', () => {
  require('../error-codes.spec');
});
describe('input-validation', () => {
  require('../input-validation.spec');
});
describe('rate-limit', () => {
  require('../rate-limit.spec');
});
