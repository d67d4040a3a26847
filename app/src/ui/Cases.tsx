import { t, formatDate, tCode } from '../i18n';
import type { CaseView } from '../api/operations';
import { useAppState } from './hooks';
import { Message } from './common';
import { OutboxPanel } from './OutboxPanel';

type Group = 'overdue' | 'due' | 'opensToday' | 'later';

/** Where a case stands in its follow-up window, from the hub's fields (or the dates, offline). */
export function groupOf(c: CaseView, now = Date.now()): Group {
  if (c.followUpBucket === 'OVERDUE' || c.overdue) return 'overdue';
  if (c.followUpBucket === 'DUE') return 'due';
  if (c.followUpBucket === 'OPENS_TODAY') return 'opensToday';
  if ((c.attemptCount ?? 0) === 0 && c.followUpDueAt && c.followUpOpensAt) {
    const opens = Date.parse(c.followUpOpensAt);
    const due = Date.parse(c.followUpDueAt);
    if (now > due) return 'overdue';
    if (now >= opens) return 'due';
    if (opens - now < 24 * 3_600_000) return 'opensToday';
  }
  return 'later';
}

export function personName(c: CaseView): string | null {
  const p = c.person;
  if (!p || (!p.firstName && !p.lastName)) return null;
  return [p.firstName, p.lastName].filter(Boolean).join(' ');
}

const GROUPS: Group[] = ['overdue', 'due', 'opensToday', 'later'];

export function Cases() {
  const app = useAppState();
  if (app.casesDenied) return <Message kind="info">{t('notForRole')}</Message>;
  const byGroup = new Map<Group, CaseView[]>(GROUPS.map((g) => [g, []]));
  for (const c of app.cases) byGroup.get(groupOf(c))!.push(c);
  return (
    <section aria-labelledby="cases-title">
      <h1 id="cases-title">{t('myCases')}</h1>
      <OutboxPanel />
      {app.cases.length === 0 && <p>{t('noCases')}</p>}
      {GROUPS.filter((g) => byGroup.get(g)!.length > 0).map((g) => (
        <div class={`group group-${g}`} key={g} data-group={g}>
          <h2>
            {t(g)} <span class="count">({byGroup.get(g)!.length})</span>
          </h2>
          <ul class="cards">
            {byGroup.get(g)!.map((c) => {
              const pending = app.outbox.filter((i) => i.caseId === c.id).length;
              return (
                <li key={c.id}>
                  <a class="card" href={`#/case/${c.id}`} data-case-id={c.id}>
                    <strong>{personName(c) ?? t('hiddenName')}</strong>
                    <span>{tCode('status', c.status)}</span>
                    {c.followUpDueAt && (c.attemptCount ?? 0) === 0 && (
                      <span>{t('dueBy', { date: formatDate(c.followUpDueAt) })}</span>
                    )}
                    {c.lastAttemptAt && (
                      <span>{t('lastTry', { date: formatDate(c.lastAttemptAt) })}</span>
                    )}
                    {pending > 0 && <span class="badge">{t('pending', { count: pending })}</span>}
                  </a>
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </section>
  );
}
