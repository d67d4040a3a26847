/**
 * Two tiers (README, "Tests"):
 * - `npm test`: unit and integration tests, the permission matrix, IDOR, hostile requests and a
 *   short fuzz (FUZZ_RUNS, 25 cases per mutation);
 * - `npm run test:slow` (TEST_TIER=slow): the full fuzz (1,000 cases per mutation), the dashboard
 *   (also after a plain `npm start`) and the field app in Chromium, the PostgreSQL restart and two
 *   hub instances on Redis.
 * `.ci/run` runs both.
 */
const SLOW = [
  'test/hostile-fuzz.test.ts',
  'test/dashboard.e2e.test.ts',
  'test/database-restart.test.ts',
  'test/subscriptions-redis.test.ts',
  'test/dashboard-first-start.e2e.test.ts',
  'test/field-app.e2e.test.ts',
];
/** In both tiers: a short run in `npm test`, the full count in `npm run test:slow`. */
const BOTH = ['test/hostile-fuzz.test.ts'];
const slowTier = process.env.TEST_TIER === 'slow';
const asPattern = (file) => `<rootDir>/${file}`;

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/test/support/environment.ts',
  // The field app's own unit tests (app/test) run here too: fast, no hub, no browser.
  roots: ['<rootDir>/test', '<rootDir>/app/test'],
  testMatch: slowTier ? SLOW.map(asPattern) : ['**/*.test.ts'],
  testPathIgnorePatterns: slowTier
    ? ['/node_modules/']
    : ['/node_modules/', ...SLOW.filter((f) => !BOTH.includes(f)).map(asPattern)],
  transform: {
    // The app is browser code (DOM types, its own tsconfig); compiled as CommonJS for jest.
    '/app/(src|test)/.+\\.tsx?$': ['ts-jest', { tsconfig: 'app/tsconfig.test.json' }],
    // Transpile only (tsconfig.test.json: isolatedModules): `npm run typecheck` checks the types,
    // once, instead of ts-jest type-checking every file in every worker.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
  },
  // Migrations run once per run; each file starts from a copy (test/support/test-databases.ts).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Generous: a loaded machine must not fail a test that waits on a real event.
  testTimeout: 120_000,
  // Every file has a database of its own (its in-memory embedded PostgreSQL, or its own copy of
  // the template on PostgreSQL), so files run two at a time on either.
  maxWorkers: 2,
  // A worker keeps what earlier files left (each embedded hub's WebAssembly memory among it):
  // one reached 9 GB and was killed by the kernel. Above this after a file, it is replaced.
  workerIdleMemoryLimit: '1GB',
};
