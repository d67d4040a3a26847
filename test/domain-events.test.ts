import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { raiseAfterCommit } from '../src/events/domain-events';
import { startTestHub, type TestHub } from './support/hub';

const TOKEN = 'metrics-token-0123456789abcdef';
let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({
    METRICS_TOKEN: TOKEN,
    FOLLOW_UP_TICK_SECONDS: '0',
    SPIKE_CHECK_SECONDS: '0',
  });
});
afterAll(async () => {
  await hub.stop();
});

/** The reports counter hears incidentReported on the raising instance: a window on the seam. */
async function reportsCounted(agencyId: string): Promise<number> {
  const text = await (
    await fetch(hub.url.replace(/\/graphql$/, '/metrics'), {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
  ).text();
  const line = text.split('\n').find((l) => l.includes(`agency_id="${agencyId}"`));
  return line ? Number(line.split(' ')[1]) : 0;
}

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
