/**
 * Outreach, consents, contacts, families, onward referrals: 9 suites in one jest file (see test/groups/README.md).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each suite loads inside its describe */
describe('outreach', () => {
  require('../outreach.spec');
});
describe('visit-guardrails', () => {
  require('../visit-guardrails.spec');
});
describe('family-contacts', () => {
  require('../family-contacts.spec');
});
describe('family-support', () => {
  require('../family-support.spec');
});
describe('consent', () => {
  require('../consent.spec');
});
describe('person-contact', () => {
  require('../person-contact.spec');
});
describe('treatment-referrals', () => {
  require('../treatment-referrals.spec');
});
describe('service-referrals', () => {
  require('../service-referrals.spec');
});
describe('follow-up-capability', () => {
  require('../follow-up-capability.spec');
});
