import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { withDevSecrets } from './dev-secrets';
import { createLogger } from './logger';
import { createServer } from './server';
import { findDemoUsers, isEmpty, seedDemoData } from './seed/demo-data';
import { printDemoTokens } from './seed/print-demo-tokens';
import { printDemoPasswords, setDemoPasswords } from './seed/demo-passwords';

/** The only file that listens: start the hub, seed demo data where wanted, stop on a signal. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const ready = withDevSecrets(config, logger);
  const hub = await createServer(ready, logger);
  logger.info({ url: hub.url, database: ready.database.kind, env: ready.env }, 'hub listening');

  const seed =
    ready.seedDemo === 'true' || (ready.seedDemo === 'auto' && ready.database.kind === 'embedded');
  if (seed && ready.env !== 'production') {
    const em = hub.orm.em.fork();
    const users = (await isEmpty(em)) ? await seedDemoData(em) : await findDemoUsers(em);
    if (users.length > 0) {
      await printDemoTokens(ready, hub.url, users);
      printDemoPasswords(hub.url.replace(/\/graphql$/, '/app/'), await setDemoPasswords(em, users));
    }
  }

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down: draining requests');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, ready.shutdownGraceMs);
    force.unref();
    hub.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  // Only the class: messages from drivers can quote SQL or connection strings.
  process.stderr.write(
    `hub failed to start: ${error instanceof Error ? error.constructor.name : 'error'}\n`,
  );
  if (process.env.NODE_ENV !== 'production' && error instanceof Error) {
    process.stderr.write(`${error.message}\n`);
  }
  process.exit(1);
});
