/**
 * Jest's global setup: migrates once for the whole run (test/support/test-databases-setup.ts).
 *
 * A run of a single file runs it in this process, and Node's test environment copies this
 * process's globals into the test's: the registries the hub's modules keep on globalThis
 * (MikroORM's entity metadata, type-graphql's) must not leak from the migration into the test,
 * so they are loaded only here, after the globals are noted, and removed again.
 */
export default async function globalSetup(): Promise<void> {
  // Only names: the test environment copies those (a symbol like undici's dispatcher stays).
  const globals = new Set(Object.getOwnPropertyNames(globalThis));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const setup = require('./test-databases-setup') as typeof import('./test-databases-setup');
    await setup.prepareTestDatabases();
  } finally {
    for (const name of Object.getOwnPropertyNames(globalThis)) {
      if (!globals.has(name)) Reflect.deleteProperty(globalThis, name);
    }
  }
}
