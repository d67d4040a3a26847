/**
 * The job queue, after-commit events, reminders, backfill: 5 suites in one jest file (see test/groups/README.md).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each suite loads inside its describe */
describe('job-queue', () => {
  require('../job-queue.spec');
});
describe('domain-events', () => {
  require('../domain-events.spec');
});
describe('follow-up-due', () => {
  require('../follow-up-due.spec');
});
describe('reminders', () => {
  require('../reminders.spec');
});
describe('backfill', () => {
  require('../backfill.spec');
});
