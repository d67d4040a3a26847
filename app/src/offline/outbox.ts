import type { AttemptInput, CaseView, ConsentInput, QuickReportInput } from '../api/operations';

/**
 * Attempts and consents logged on the phone, kept (encrypted) until the hub has them. Each names
 * the case version it was made on; the hub refuses a stale one (CONFLICT), and then the item
 * waits with both versions until the worker chooses. Nothing is dropped without the worker
 * saying so.
 */
export type OutboxItem =
  | (Base & { kind: 'attempt'; input: AttemptInput })
  | (Base & { kind: 'consent'; input: ConsentInput })
  | (Base & { kind: 'report'; input: QuickReportInput });

interface Base {
  id: string;
  caseId: string;
  /** The case version the worker saw when making the entry. */
  baseVersion: number;
  createdAt: string;
  state: 'pending' | 'conflict' | 'rejected';
  /** For conflict and rejected: the hub's error code and what it said about the fields. */
  errorCode?: string;
  errorDetail?: Record<string, unknown>;
  /** For a conflict: the case as it is on the hub now. */
  serverCase?: CaseView | null;
}

export interface OutboxApi {
  logAttempt(
    caseId: string,
    version: number,
    input: AttemptInput,
  ): Promise<{ version: number } | void>;
  recordConsent(caseId: string, version: number, input: ConsentInput): Promise<unknown>;
  /** Re-sending a report is harmless: the hub keys it by its externalId. */
  reportIncident(input: QuickReportInput): Promise<unknown>;
  fetchCase(id: string): Promise<CaseView | null>;
}

export interface OutboxStorage {
  load(): Promise<OutboxItem[]>;
  save(items: OutboxItem[]): Promise<void>;
}

export interface SyncResult {
  sent: OutboxItem[];
  conflicts: OutboxItem[];
  rejected: OutboxItem[];
  /** The network went away midway: the rest waits. */
  offline: boolean;
}

function codeOf(error: unknown): { code: string; detail: Record<string, unknown> } {
  const e = error as { code?: string; detail?: Record<string, unknown> };
  return { code: e?.code ?? 'OTHER', detail: e?.detail ?? {} };
}

export class Outbox {
  private syncing: Promise<SyncResult> | null = null;

  constructor(
    private readonly storage: OutboxStorage,
    private readonly api: OutboxApi,
  ) {}

  list(): Promise<OutboxItem[]> {
    return this.storage.load();
  }

  async add(
    item: Omit<OutboxItem, 'id' | 'createdAt' | 'state'> & { id?: string },
  ): Promise<OutboxItem> {
    const full = {
      ...item,
      id: item.id ?? crypto.randomUUID(),
      createdAt: new Date().toISOString(),
      state: 'pending',
    } as OutboxItem;
    await this.storage.save([...(await this.storage.load()), full]);
    return full;
  }

  async remove(id: string): Promise<void> {
    await this.storage.save((await this.storage.load()).filter((i) => i.id !== id));
  }

  /** The worker chose to send their entry on top of the case as it is now. */
  async retryOnCurrent(id: string): Promise<void> {
    const items = await this.storage.load();
    await this.storage.save(
      items.map((i) =>
        i.id === id && i.state === 'conflict' && i.serverCase?.version != null
          ? {
              ...i,
              state: 'pending',
              baseVersion: i.serverCase.version,
              serverCase: undefined,
              errorCode: undefined,
            }
          : i,
      ),
    );
  }

  /** Sends pending entries oldest first; one sync at a time. */
  sync(): Promise<SyncResult> {
    this.syncing ??= this.run().finally(() => {
      this.syncing = null;
    });
    return this.syncing;
  }

  private async run(): Promise<SyncResult> {
    const result: SyncResult = { sent: [], conflicts: [], rejected: [], offline: false };
    let items = await this.storage.load();
    for (const item of items.filter((i) => i.state === 'pending')) {
      const current = items.find((i) => i.id === item.id);
      if (!current || current.state !== 'pending') continue;
      try {
        if (current.kind === 'attempt') {
          const answer = await this.api.logAttempt(
            current.caseId,
            current.baseVersion,
            current.input,
          );
          // Later entries on the same case were made on top of this one: they follow its version.
          const next = answer && typeof answer.version === 'number' ? answer.version : undefined;
          if (next !== undefined) {
            items = items.map((i) =>
              i.caseId === current.caseId &&
              i.state === 'pending' &&
              i.baseVersion === current.baseVersion
                ? { ...i, baseVersion: next }
                : i,
            );
          }
        } else if (current.kind === 'consent') {
          await this.api.recordConsent(current.caseId, current.baseVersion, current.input);
        } else {
          await this.api.reportIncident(current.input);
        }
        items = items.filter((i) => i.id !== current.id);
        result.sent.push(current);
      } catch (error) {
        const { code, detail } = codeOf(error);
        if (code === 'NETWORK') {
          result.offline = true;
          break;
        }
        if (code === 'UNAUTHENTICATED') break;
        if (code === 'CONFLICT') {
          const serverCase = await this.api.fetchCase(current.caseId).catch(() => null);
          const updated: OutboxItem = {
            ...current,
            state: 'conflict',
            errorCode: code,
            serverCase,
          };
          items = items.map((i) => (i.id === current.id ? updated : i));
          result.conflicts.push(updated);
        } else {
          const updated: OutboxItem = {
            ...current,
            state: 'rejected',
            errorCode: code,
            errorDetail: detail,
          };
          items = items.map((i) => (i.id === current.id ? updated : i));
          result.rejected.push(updated);
        }
      }
      await this.storage.save(items);
    }
    await this.storage.save(items);
    return result;
  }
}
