import { Outbox, type OutboxApi, type OutboxItem } from '../src/offline/outbox';
import type { AttemptInput, CaseView } from '../src/api/operations';

const attempt: AttemptInput = {
  attemptedAt: '2026-12-01T10:00:00.000Z',
  method: 'PHONE',
  outcome: 'NO_ANSWER',
  naloxoneKitsForPerson: 0,
  naloxoneKitsForFamily: 0,
  fentanylTestStrips: 0,
  overdosePreventionLiterature: false,
  peerSupportContactCard: false,
  syringeServicesInformation: false,
};

class Failure extends Error {
  constructor(
    readonly code: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

function world(versions: Record<string, number>) {
  let items: OutboxItem[] = [];
  const calls: string[] = [];
  let offline = false;
  const api: OutboxApi = {
    async logAttempt(caseId, version) {
      if (offline) throw new Failure('NETWORK');
      calls.push(`${caseId}@${version}`);
      if (versions[caseId] === undefined) throw new Failure('NOT_FOUND');
      if (versions[caseId] !== version) throw new Failure('CONFLICT');
      versions[caseId] += 1;
      return { version: versions[caseId] };
    },
    recordConsent: async () => undefined,
    reportIncident: async () => undefined,
    fetchCase: async (id) => ({ id, version: versions[id] }) as CaseView,
  };
  const outbox = new Outbox(
    { load: async () => items, save: async (next) => void (items = next) },
    api,
  );
  return { outbox, calls, setOffline: (v: boolean) => (offline = v), items: () => items };
}

describe('the outbox', () => {
  it('keeps entries while offline and sends them in order when back', async () => {
    const w = world({ c1: 3 });
    w.setOffline(true);
    await w.outbox.add({ kind: 'attempt', caseId: 'c1', baseVersion: 3, input: attempt });
    expect((await w.outbox.sync()).offline).toBe(true);
    expect(w.items()).toHaveLength(1);
    w.setOffline(false);
    const result = await w.outbox.sync();
    expect(result.sent).toHaveLength(1);
    expect(w.items()).toEqual([]);
  });

  it('a second entry made on top of the first follows its new version', async () => {
    const w = world({ c1: 3 });
    await w.outbox.add({ kind: 'attempt', caseId: 'c1', baseVersion: 3, input: attempt });
    await w.outbox.add({ kind: 'attempt', caseId: 'c1', baseVersion: 3, input: attempt });
    await w.outbox.sync();
    expect(w.calls).toEqual(['c1@3', 'c1@4']);
  });

  it('a conflict keeps the entry with the server version until the worker chooses', async () => {
    const w = world({ c1: 5 });
    const item = await w.outbox.add({
      kind: 'attempt',
      caseId: 'c1',
      baseVersion: 3,
      input: attempt,
    });
    const result = await w.outbox.sync();
    expect(result.conflicts).toHaveLength(1);
    expect(w.items()[0]).toMatchObject({
      state: 'conflict',
      serverCase: { version: 5 },
      input: attempt,
    });
    // Another sync does not drop or resend it.
    await w.outbox.sync();
    expect(w.items()).toHaveLength(1);
    await w.outbox.retryOnCurrent(item.id);
    await w.outbox.sync();
    expect(w.items()).toEqual([]);
    expect(w.calls).toEqual(['c1@3', 'c1@5']);
  });

  it('a case that moved away is kept as rejected with the reason, not lost', async () => {
    const w = world({});
    await w.outbox.add({ kind: 'attempt', caseId: 'gone', baseVersion: 1, input: attempt });
    const result = await w.outbox.sync();
    expect(result.rejected.map((r) => r.errorCode)).toEqual(['NOT_FOUND']);
    expect(w.items()).toHaveLength(1);
  });
});
