import { useState } from 'preact/hooks';
import { t, formatDate, tCode } from '../i18n';
import { outbox, syncNow } from '../store';
import type { OutboxItem } from '../offline/outbox';
import { useAppState } from './hooks';

function EntrySummary({ item }: { item: OutboxItem }) {
  if (item.kind === 'attempt')
    return (
      <p>
        {tCode('method', item.input.method)} · {tCode('outcome', item.input.outcome)} ·{' '}
        {formatDate(item.input.attemptedAt)}
        {item.input.notes ? ` · “${item.input.notes}”` : ''}
      </p>
    );
  if (item.kind === 'consent')
    return (
      <p>
        {t('consent')}: {tCode('scope', item.input.scope)} · {formatDate(item.input.grantedAt)}
      </p>
    );
  return (
    <p>
      {t('report')}: {formatDate(item.input.occurredAt)} · {item.input.county}
    </p>
  );
}

/**
 * Entries waiting on the phone: how many, and every one the hub did not take, with both
 * versions for a conflict. Only the worker removes an entry.
 */
export function OutboxPanel({ caseId }: { caseId?: string }) {
  const app = useAppState();
  const [busy, setBusy] = useState(false);
  const items = app.outbox.filter((i) => !caseId || i.caseId === caseId);
  if (items.length === 0) return null;
  const pending = items.filter((i) => i.state === 'pending');
  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    try {
      await action();
      await syncNow();
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="outbox" aria-live="polite">
      {pending.length > 0 && (
        <p class="msg info" id="pending-count">
          {t('pending', { count: pending.length })}{' '}
          {app.online && (
            <button type="button" onClick={() => act(async () => undefined)} disabled={busy}>
              {t('syncNow')}
            </button>
          )}
        </p>
      )}
      {items
        .filter((i) => i.state === 'conflict')
        .map((item) => (
          <div class="conflict" key={item.id} role="alert" data-conflict={item.id}>
            <h2>{t('conflictTitle')}</h2>
            <p>{t('conflictIntro')}</p>
            <div class="versions">
              <div>
                <h3>{t('yourEntry')}</h3>
                <EntrySummary item={item} />
              </div>
              <div>
                <h3>{t('theirVersion')}</h3>
                {item.serverCase ? (
                  <>
                    <p>{tCode('status', item.serverCase.status)}</p>
                    <ul>
                      {(item.serverCase.outreachAttempts ?? []).map((a) => (
                        <li key={a.id}>
                          {tCode('method', a.method)} · {tCode('outcome', a.outcome)} ·{' '}
                          {formatDate(a.attemptedAt)}
                          {a.worker?.displayName ? ` · ${a.worker.displayName}` : ''}
                        </li>
                      ))}
                    </ul>
                  </>
                ) : (
                  <p>{t('error.NOT_FOUND')}</p>
                )}
              </div>
            </div>
            {item.serverCase && (
              <button
                type="button"
                class="primary"
                disabled={busy}
                onClick={() => act(() => outbox.retryOnCurrent(item.id))}
              >
                {t('sendAnyway')}
              </button>
            )}
            <button type="button" disabled={busy} onClick={() => act(() => outbox.remove(item.id))}>
              {t('discardMine')}
            </button>
          </div>
        ))}
      {items
        .filter((i) => i.state === 'rejected')
        .map((item) => {
          const fields = (item.errorDetail?.fields ?? []) as Array<{
            field: string;
            message: string;
          }>;
          return (
            <div class="rejected" key={item.id} role="alert">
              <h2>{t('rejectedTitle')}</h2>
              <EntrySummary item={item} />
              <p>{tCode('error', item.errorCode ?? 'OTHER')}</p>
              {fields.length > 0 && (
                <p>
                  {t('toFix')}: {fields.map((f) => `${f.field} ${f.message}`).join('; ')}
                </p>
              )}
              <p>{t('keepForNow')}</p>
              <button
                type="button"
                disabled={busy}
                onClick={() => act(() => outbox.remove(item.id))}
              >
                {t('discardMine')}
              </button>
            </div>
          );
        })}
    </div>
  );
}
