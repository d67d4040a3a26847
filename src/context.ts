import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReadyConfig } from './config';
import type { Logger } from './logger';
import type { Viewer } from './auth/viewer';

/** What every resolver gets: its own EntityManager fork, the verified caller, and a request id. */
export interface Context {
  em: EntityManager;
  viewer: Viewer;
  requestId: string;
  config: ReadyConfig;
  logger: Logger;
  /** Which endpoint answers: /research/graphql serves aggregates at research granularity. */
  endpoint?: 'research';
  /**
   * Set when a field of a 42 CFR Part 2 record was resolved (modules/part2/part2-tracking.ts):
   * the answer then carries the §2.32 redisclosure notice.
   */
  part2RecordReturned?: boolean;
}
