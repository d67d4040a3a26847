import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import NodeEnvironment from 'jest-environment-node';
import {
  OPEN_HUBS,
  PGLITE_POOL,
  RUN_ENV,
  TEMPLATE_ENV,
  copyTemplate,
  dropDatabase,
  fileDatabaseName,
  withDatabase,
} from './test-databases';

interface OpenHub {
  url: string;
  stop(): Promise<void>;
}

/**
 * Node's test environment, plus the test file's own database on PostgreSQL: a copy of the run's
 * migrated template, in the file's DATABASE_URL, dropped once the file is done. Hubs the file
 * left running (a failed beforeAll, a forgotten stop) are stopped before the database goes.
 */
export default class HubTestEnvironment extends NodeEnvironment {
  private database?: { base: string; name: string };
  private readonly testPath: string;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.testPath = context.testPath;
  }

  override async setup(): Promise<void> {
    await super.setup();
    const env = this.global.process.env;
    const base = env.DATABASE_URL;
    const template = env[TEMPLATE_ENV];
    if (!base || !template) return;
    const name = fileDatabaseName(base, Number(env[RUN_ENV]));
    await copyTemplate(base, template, name);
    this.database = { base, name };
    env.DATABASE_URL = withDatabase(base, name);
  }

  override async teardown(): Promise<void> {
    const open = (this.global as Record<string, unknown>)[OPEN_HUBS] as Set<OpenHub> | undefined;
    for (const hub of open ?? []) {
      process.stderr.write(`${this.testPath}: stopping a hub the file left running\n`);
      await withDeadline(hub.stop(), 30_000).catch(() => undefined);
    }
    const pool = (this.global as Record<string, unknown>)[PGLITE_POOL] as
      { all: Array<{ closed: boolean; close(): Promise<void> }> } | undefined;
    for (const pglite of pool?.all ?? []) {
      if (!pglite.closed) await withDeadline(pglite.close(), 30_000).catch(() => undefined);
    }
    if (this.database) {
      await dropDatabase(this.database.base, this.database.name).catch((error: unknown) => {
        process.stderr.write(
          `${this.testPath}: could not drop ${this.database!.name}: ${(error as Error).message}\n`,
        );
      });
    }
    await super.teardown();
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
