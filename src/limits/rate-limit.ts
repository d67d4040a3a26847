import { GraphQLError } from 'graphql';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { HubConfig } from '../config';
import type { Viewer } from '../auth/viewer';
import type { Logger } from '../logger';
import { loadOnFirstUse } from '../common/load-on-first-use';

export type CallerKind = 'user' | 'apiKey' | 'anonymous';

export interface RateLimiter {
  /** Counts one request of a caller; throws a TOO_MANY_REQUESTS error (HTTP 429) over the limit. */
  consume(kind: CallerKind, id: string): Promise<void>;
  close(): Promise<void>;
}

/** The limiter key of a verified caller: the user or the API key, never the agency. */
export function callerOf(viewer: Viewer): { kind: CallerKind; id: string } {
  return viewer.kind === 'API_KEY'
    ? { kind: 'apiKey', id: viewer.apiKeyId ?? viewer.agencyId }
    : { kind: 'user', id: viewer.userId ?? viewer.agencyId };
}

/**
 * Per-caller request budgets with rate-limiter-flexible: in this process by default, in Redis
 * when REDIS_URL is set so that every hub behind a load balancer shares one budget. Should Redis
 * become unreachable, each hub falls back to its own in-memory budget instead of refusing all.
 */
/** Only a hub with REDIS_URL needs it. */
const ioredis = loadOnFirstUse<typeof import('ioredis')>('ioredis');

export async function createRateLimiter(
  config: HubConfig['rateLimit'],
  logger: Logger,
): Promise<RateLimiter> {
  const redis = config.redisUrl
    ? new (ioredis().Redis)(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
    : undefined;
  if (redis) {
    redis.on('error', (error: Error) =>
      logger.warn({ errorClass: error.constructor.name }, 'rate limit store unreachable'),
    );
    await new Promise<void>((resolve, reject) => {
      redis.once('ready', () => resolve());
      redis.once('end', () => reject(new Error('Redis closed before it was ready')));
    }).catch(async (error: unknown) => {
      redis.disconnect();
      throw error;
    });
  }

  const limiter = (kind: CallerKind, points: number): RateLimiterAbstract => {
    const options = {
      points,
      duration: config.windowSeconds,
      keyPrefix: `${config.keyPrefix}:${kind}`,
    };
    const memory = new RateLimiterMemory(options);
    return redis
      ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: memory })
      : memory;
  };
  const limiters: Record<CallerKind, RateLimiterAbstract> = {
    user: limiter('user', config.userPoints),
    apiKey: limiter('apiKey', config.apiKeyPoints),
    anonymous: limiter('anonymous', config.anonymousPoints),
  };

  return {
    async consume(kind, id) {
      try {
        await limiters[kind].consume(id);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) throw tooManyRequests(rejection.msBeforeNext);
        throw rejection;
      }
    },
    async close() {
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function tooManyRequests(msBeforeNext: number): GraphQLError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new GraphQLError('Too many requests. Retry after the time in the Retry-After header.', {
    extensions: {
      code: 'TOO_MANY_REQUESTS',
      // Apollo turns this into the HTTP status and headers, before formatError drops it.
      http: { status: 429, headers: new Map([['retry-after', String(seconds)]]) },
    },
  });
}
