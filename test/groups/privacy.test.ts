/**
 * Identity at rest and by source, retention, leak review, audit: 8 suites in one jest file (see test/groups/README.md).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each suite loads inside its describe */
describe('identity-encryption', () => {
  require('../identity-encryption.spec');
});
describe('identity-sources', () => {
  require('../identity-sources.spec');
});
describe('identity-migration', () => {
  require('../identity-migration.spec');
});
describe('location-at-rest', () => {
  require('../location-at-rest.spec');
});
describe('retention', () => {
  require('../retention.spec');
});
describe('leak-review', () => {
  require('../leak-review.spec');
});
describe('audit-trail', () => {
  require('../audit-trail.spec');
});
describe('audit-queries', () => {
  require('../audit-queries.spec');
});
