/**
 * Sign-in, users, agencies and agreements: 6 suites in one jest file (see test/groups/README.md).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each suite loads inside its describe */
describe('account-sign-in', () => {
  require('../account-sign-in.spec');
});
describe('auth', () => {
  require('../auth.spec');
});
describe('users', () => {
  require('../users.spec');
});
describe('agency-admin', () => {
  require('../agency-admin.spec');
});
describe('agency-permissions', () => {
  require('../agency-permissions.spec');
});
describe('agreements', () => {
  require('../agreements.spec');
});
