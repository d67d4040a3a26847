/**
 * LEAD, police feedback and police statistics: 4 suites in one jest file (see test/groups/README.md).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each suite loads inside its describe */
describe('lead', () => {
  require('../lead.spec');
});
describe('lead-channel', () => {
  require('../lead-channel.spec');
});
describe('referral-feedback', () => {
  require('../referral-feedback.spec');
});
describe('police-statistics', () => {
  require('../police-statistics.spec');
});
