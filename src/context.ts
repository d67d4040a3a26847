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
}
