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
  const listener = (query: { sql: string }) => {
    if (!BACKGROUND_WORK.test(query.sql)) statements.push(query.sql);
  };
  knex.on('query', listener);
  return {
    statements,
    stop: () => knex.removeListener('query', listener),
  };
}
