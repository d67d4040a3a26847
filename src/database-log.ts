import type { Logger } from './logger';

/**
 * knex's own warnings (a pooled connection that ended, pool trouble) go to console.log unless
 * it is given a logger: outside the structured log, its level and its redaction. Here they become
 * hub log lines. Their text is not kept: knex may quote a query in it.
 */
export function databaseDriverLog(logger: Logger): Record<string, (message: unknown) => void> {
  const line = (level: 'warn' | 'error' | 'debug') => (message: unknown) => {
    const text = typeof message === 'string' ? message : '';
    if (text.startsWith('Connection Error')) {
      logger[level]({ source: 'knex' }, 'a pooled database connection ended; it is replaced');
    } else {
      logger[level]({ source: 'knex' }, 'database driver message');
    }
  };
  return {
    warn: line('warn'),
    error: line('error'),
    debug: line('debug'),
    deprecate: line('debug'),
  };
}
