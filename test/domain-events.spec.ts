import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { raiseAfterCommit } from '../src/events/domain-events';
import { startTestHub, type TestHub } from './support/hub';

let hub: TestHub;
/** incidentReported events this hub raised, per agency id: the sink behind the bus, seen directly. */
const raised = new Map<string, number>();

beforeAll(async () => {
  hub = await startTestHub({ FOLLOW_UP_TICK_SECONDS: '0', SPIKE_CHECK_SECONDS: '0' });
  hub.server.events.onRaised((event) => {
    if (event.name !== 'incidentReported') return;
    raised.set(event.payload.agencyId, (raised.get(event.payload.agencyId) ?? 0) + 1);
  });
});
afterAll(async () => {
  await hub.stop();
});

/**
 * Read in-process, not over /metrics: on the embedded database (one connection) a request that
 * needs the database waits for the open transaction, which here waits for that request.
 */
const reportsCounted = async (agencyId: string): Promise<number> => {
  // Delivery after commit may be a tick later than the commit's promise.
  await new Promise((resolve) => setImmediate(resolve));
  return raised.get(agencyId) ?? 0;
};

const raise = (em: EntityManager, agencyId: string) =>
  raiseAfterCommit(em, 'incidentReported', { agencyId, incidentId: randomUUID(), county: '99999' });

describe('raiseAfterCommit', () => {
  it('delivers an event raised in a transaction once it commits, not before', async () => {
    const agencyId = randomUUID();
    let during = -1;
    await hub.em().transactional(async (tx) => {
      raise(tx, agencyId);
      during = await reportsCounted(agencyId);
    });
    expect(during).toBe(0);
    expect(await reportsCounted(agencyId)).toBe(1);
  });

  it('drops an event whose transaction rolls back', async () => {
    const agencyId = randomUUID();
    await expect(
      hub.em().transactional(async (tx) => {
        raise(tx, agencyId);
        throw new Error('rolled back on purpose');
      }),
    ).rejects.toThrow('rolled back on purpose');
    expect(await reportsCounted(agencyId)).toBe(0);
  });

  it('holds an event raised in a nested transaction until the outer one commits', async () => {
    const agencyId = randomUUID();
    let afterInner = -1;
    await hub.em().transactional(async (tx) => {
      await tx.transactional(async (inner) => raise(inner, agencyId));
      afterInner = await reportsCounted(agencyId);
    });
    expect(afterInner).toBe(0);
    expect(await reportsCounted(agencyId)).toBe(1);
  });

  it('delivers at once outside a transaction', async () => {
    const agencyId = randomUUID();
    raise(hub.em(), agencyId);
    expect(await reportsCounted(agencyId)).toBe(1);
  });
});
