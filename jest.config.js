/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // The field app's own unit tests (app/test) run here too: fast, no hub, no browser.
  roots: ['<rootDir>/test', '<rootDir>/app/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // The app is browser code (DOM types, its own tsconfig); compiled as CommonJS for jest.
    '/app/(src|test)/.+\\.tsx?$': ['ts-jest', { tsconfig: 'app/tsconfig.test.json' }],
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }],
  },
  testTimeout: 60_000,
  // Each file starts its own hub. On the embedded database each file also has its own in-memory
  // PostgreSQL, so two files can run at once (one per core). On a shared PostgreSQL
  // (DATABASE_URL) files run one after another: some tests count rows across the database.
  maxWorkers: process.env.DATABASE_URL ? 1 : 2,
};
