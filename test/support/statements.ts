import type { TestHub } from './hub';

/**
 * Every statement that reaches the database driver, however it was issued (ORM query, raw
 * execute, transaction control): knex emits `query` for each one it sends. Listening on the
 * hub's own knex instance, so only the hub's statements are counted, not the test's setup.
 */
export function listenForStatements(hub: TestHub) {
  const knex = hub.server.orm.em.getConnection().getKnex();
  const statements: string[] = [];
  const listener = (query: { sql: string }) => statements.push(query.sql);
  knex.on('query', listener);
  return {
    statements,
    stop: () => knex.removeListener('query', listener),
  };
}
