import type { Logger } from '../logger';
import type { DomainEvent, DomainEventName } from './domain-events';
import { LocalPubSub } from './local-pub-sub';
import { loadOnFirstUse } from '../common/load-on-first-use';

/** Only a hub with REDIS_URL needs it. */
const ioredis = loadOnFirstUse<typeof import('ioredis')>('ioredis');

export interface EventBus {
  /** Hands an event to this instance's listeners, then to every instance's subscribers. */
  publish(event: DomainEvent): void;
  /**
   * For events every instance's timer finds (follow-up due): the first instance to claim the key
   * publishes, the others stay silent, so each subscriber still hears the event once.
   */
  publishOnce(key: string, event: DomainEvent): Promise<void>;
  /** Listeners on the instance where the event was raised (metrics, spike checks). */
  onRaised(listener: (event: DomainEvent) => void): void;
  /** What type-graphql's @Subscription reads from: events of every instance. */
  pubSub: LocalPubSub;
  close(): Promise<void>;
}

/** Long enough for every instance's timer to have seen the same transition. */
const ONCE_TTL_SECONDS = 24 * 3600;

const EVENT_NAMES: ReadonlySet<DomainEventName> = new Set([
  'incidentReported',
  'caseRouted',
  'followUpDue',
  'spikeAlert',
]);

/**
 * In-process by default. With REDIS_URL every event goes through one Redis channel: each instance
 * publishes there only, and hears every event (its own included) exactly once from its subscriber
 * connection, so a subscriber on any instance receives each event once.
 */
export async function createEventBus(
  options: { redisUrl?: string; channel: string },
  logger: Logger,
): Promise<EventBus> {
  const pubSub = new LocalPubSub();
  const listeners: Array<(event: DomainEvent) => void> = [];
  const deliver = (event: DomainEvent) => pubSub.publish(event.name, event.payload);
  const raised = (event: DomainEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        logger.error({ errorClass: (error as Error)?.constructor?.name }, 'event listener failed');
      }
    }
  };

  if (!options.redisUrl) {
    return {
      publish: (event) => {
        raised(event);
        deliver(event);
      },
      publishOnce: async (_key, event) => {
        raised(event);
        deliver(event);
      },
      onRaised: (listener) => listeners.push(listener),
      pubSub,
      close: async () => {},
    };
  }

  const { Redis } = ioredis();
  const publisher = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
  const subscriber = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
  for (const connection of [publisher, subscriber]) {
    connection.on('error', (error: Error) =>
      logger.warn({ errorClass: error.constructor.name }, 'event bus: Redis unreachable'),
    );
  }
  try {
    await subscriber.subscribe(options.channel);
  } catch (error) {
    publisher.disconnect();
    subscriber.disconnect();
    throw error;
  }
  subscriber.on('message', (_channel: string, message: string) => {
    const event = parseEvent(message);
    if (event) deliver(event);
    else logger.warn('event bus: ignored a malformed message');
  });
  const publish = (event: DomainEvent) => {
    raised(event);
    publisher.publish(options.channel, JSON.stringify(event)).catch((error: Error) => {
      logger.error({ errorClass: error.constructor.name, event: event.name }, 'event lost');
    });
  };
  return {
    publish,
    publishOnce: async (key, event) => {
      const claimed = await publisher
        .set(`${options.channel}:once:${key}`, '1', 'EX', ONCE_TTL_SECONDS, 'NX')
        .catch(() => 'OK');
      if (claimed === 'OK') publish(event);
    },
    onRaised: (listener) => listeners.push(listener),
    pubSub,
    close: async () => {
      await Promise.all([publisher, subscriber].map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

function parseEvent(message: string): DomainEvent | undefined {
  try {
    const parsed = JSON.parse(message) as DomainEvent;
    if (!EVENT_NAMES.has(parsed?.name) || typeof parsed.payload !== 'object') return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}
