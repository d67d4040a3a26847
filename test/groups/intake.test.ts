/**
 * Reports in: intake, batches, events, reading reports back: 4 suites in one jest file (see test/groups/README.md).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each suite loads inside its describe */
describe('intake', () => {
  require('../intake.spec');
});
describe('intake-batch', () => {
  require('../intake-batch.spec');
});
describe('overdose-events', () => {
  require('../overdose-events.spec');
});
describe('incident-read', () => {
  require('../incident-read.spec');
});
