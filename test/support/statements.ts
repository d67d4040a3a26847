import type { TestHub } from './hub';

/**
 * The hub's background work (the job queue's polls and timers, spike checks, alert deliveries,
 * reminders) runs on the same connection at its own pace: its statements are not a request's.
 */
export const BACKGROUND_WORK =
  /hub_job|spike_alert|spike_setting|alert_delivery|push_subscription|notification_setting/i;

/**
 * Every statement that reaches the database driver, however it was issued (ORM query, raw
 * execute, transaction control): knex emits `query` for each one it sends. Listening on the
 * hub's own knex instance, so only the hub's statements are counted, not the test's setup.
 */
export function listenForStatements(hub: TestHub) {
  const knex = hub.server.orm.em.getConnection().getKnex();
  const statements: string[] = [];
  /** The same statements with their bindings, for a test that must tell one county's from another's. */
  const calls: Array<{ sql: string; bindings: unknown[] }> = [];
  const listener = (query: { sql: string; bindings?: unknown[] }) => {
    if (BACKGROUND_WORK.test(query.sql)) return;
    statements.push(query.sql);
    calls.push({ sql: query.sql, bindings: query.bindings ?? [] });
  };
  knex.on('query', listener);
  return {
    statements,
    calls,
    stop: () => knex.removeListener('query', listener),
  };
}
