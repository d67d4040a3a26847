/** The environment of a hub under measurement (npm run bench, bench/stats-profile.ts). */
export function benchHubEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'benchmark',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_POINTS: '1000000',
    RATE_LIMIT_API_KEY_POINTS: '1000000',
    RATE_LIMIT_ANONYMOUS_POINTS: '1000000',
    // An unfiltered outcomeStats over a million incidents runs for about a minute: longer than
    // the hub's default request statement timeout (15 s), which the bench must not measure.
    DB_STATEMENT_TIMEOUT_MS: process.env.DB_STATEMENT_TIMEOUT_MS ?? '600000',
    // The timers of a running hub are not what is measured, and on synthetic data years old the
    // retention purge alone would keep a core busy for the whole run (a backlog of closed cases).
    // The spike check after each report stays on: it is part of what intake costs.
    RETENTION_PURGE_INTERVAL_HOURS: '0',
    FOLLOW_UP_TICK_SECONDS: '0',
    SPIKE_CHECK_SECONDS: '0',
  };
}
