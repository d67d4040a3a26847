import { useState } from 'preact/hooks';
import { t, formatDate, tCode } from '../i18n';
import { closeCase, markEngaged, putOnHold, resumeCase, type CaseView } from '../api/operations';
import { queue, syncNow } from '../store';
import { useAppState, go } from './hooks';
import { Field, Message, Value, errorText, type Said } from './common';
import { personName } from './Cases';
import { OutboxPanel } from './OutboxPanel';
import { AttemptForm } from './AttemptForm';
import { caseActions } from './case-actions';
import { part2NoticeFor } from './part2';

type Panel = 'none' | 'attempt' | 'consent' | 'hold' | 'close';

export function CaseDetail({ id }: { id: string }) {
  const app = useAppState();
  const c = app.cases.find((x) => x.id === id);
  const [panel, setPanel] = useState<Panel>('none');
  const [message, setMessage] = useState<{
    kind: 'ok' | 'error' | 'info';
    say: () => string;
  } | null>(null);
  if (!c) return <Message kind="error">{t('error.NOT_FOUND')}</Message>;
  const p = c.person;
  // Only the moves the hub accepts from this status: no button that can only end in an error.
  const actions = caseActions(c.status);
  const pendingHere = app.outbox.filter((i) => i.caseId === id && i.state === 'pending');
  const part2Notice = part2NoticeFor(c, app.part2Notice);

  const done = (result: 'sent' | 'queued' | object) => {
    setPanel('none');
    setMessage(
      result === 'sent'
        ? { kind: 'ok', say: () => t('saved') }
        : result === 'queued'
          ? { kind: 'info', say: () => t('savedOffline') }
          : null,
    );
  };

  /** A change only the hub can make (it checks the state): sent at once, never queued. */
  const online = async (action: () => Promise<unknown>): Promise<boolean> => {
    try {
      await action();
      await syncNow();
      setPanel('none');
      setMessage({ kind: 'ok', say: () => t('saved') });
      return true;
    } catch (e) {
      setMessage({ kind: 'error', say: () => errorText(e) });
      return false;
    }
  };

  return (
    <section aria-labelledby="case-title">
      <a href="#/cases" class="back">
        ← {t('back')}
      </a>
      <h1 id="case-title">{personName(c) ?? t('hiddenName')}</h1>
      {c.identitySealed && <Message kind="info">{t('sealed')}</Message>}
      {part2Notice && (
        <p class="part2-notice" role="note" id="part2-notice">
          {part2Notice}
        </p>
      )}
      {p?.doNotDiscloseToHousehold && (
        <p class="warning" role="note" id="household-warning">
          ⚠ {t('householdWarning')}
        </p>
      )}
      {p?.doNotContact && <p class="warning">{t('doNotContact')}</p>}
      <dl class="facts">
        <dt>{t('status')}</dt>
        <dd>{tCode('status', c.status)}</dd>
        <dt>{t('phone')}</dt>
        <dd>{p?.phone ? <a href={`tel:${p.phone}`}>{p.phone}</a> : <Value value={null} />}</dd>
        <dt>{t('address')}</dt>
        <dd>
          <Value value={p ? [p.street, p.city].filter(Boolean).join(', ') || null : null} />
        </dd>
        <dt>{t('safeTimes')}</dt>
        <dd>
          <Value value={p?.safeContactTimes} />
        </dd>
        <dt>{t('preferredMethod')}</dt>
        <dd>
          <Value
            value={p?.preferredContactMethod ? tCode('method', p.preferredContactMethod) : null}
          />
        </dd>
        {c.followUpDueAt && (
          <>
            <dt>{t('when')}</dt>
            <dd>
              {t('opensAt', { date: formatDate(c.followUpOpensAt) })} ·{' '}
              {t('dueBy', { date: formatDate(c.followUpDueAt) })}
            </dd>
          </>
        )}
        {(c.priorCaseCount ?? 0) > 0 && (
          <>
            <dt>{t('priorCases', { count: c.priorCaseCount ?? 0 })}</dt>
            <dd />
          </>
        )}
      </dl>
      {message && <Message kind={message.kind}>{message.say()}</Message>}
      <OutboxPanel caseId={id} />

      <div class="actions">
        <button type="button" class="primary" id="log-attempt" onClick={() => setPanel('attempt')}>
          {t('logAttempt')}
        </button>
        <button type="button" id="record-consent" onClick={() => setPanel('consent')}>
          {t('consent')}
        </button>
        {actions.engage && (
          <button
            type="button"
            id="mark-engaged"
            disabled={!app.online}
            onClick={() => online(() => markEngaged(id, c.version ?? 0))}
          >
            {t('engaged')}
          </button>
        )}
        {actions.refer && (
          <button type="button" id="refer-onward" onClick={() => go(`resources?case=${id}`)}>
            {t('referOnward')}
          </button>
        )}
        {actions.resume && (
          <button
            type="button"
            id="resume-case"
            disabled={!app.online}
            onClick={() => online(() => resumeCase(id, c.version ?? 0))}
          >
            {t('resume')}
          </button>
        )}
        {actions.hold && (
          <button
            type="button"
            id="hold-case"
            disabled={!app.online}
            onClick={() => setPanel('hold')}
          >
            {t('hold')}
          </button>
        )}
        {actions.closeReasons.length > 0 && (
          <button
            type="button"
            id="close-case"
            disabled={!app.online}
            onClick={() => setPanel('close')}
          >
            {t('close')}
          </button>
        )}
      </div>

      {panel === 'attempt' && (
        <AttemptForm
          caseView={c}
          onCancel={() => setPanel('none')}
          onSave={async (input) =>
            done(await queue({ kind: 'attempt', caseId: id, baseVersion: c.version ?? 0, input }))
          }
        />
      )}
      {panel === 'consent' && (
        <ConsentForm
          onCancel={() => setPanel('none')}
          onSave={async (input) =>
            done(await queue({ kind: 'consent', caseId: id, baseVersion: c.version ?? 0, input }))
          }
        />
      )}
      {panel === 'hold' && (
        <ChoiceForm
          idPrefix="hold"
          label={t('holdReason')}
          options={['ASKED_FOR_LATER_CONTACT', 'HOSPITALIZED', 'INCARCERATED', 'OTHER']}
          withDate
          onCancel={() => setPanel('none')}
          onSave={async (reason, date) => {
            await online(() =>
              putOnHold(
                id,
                c.version ?? 0,
                reason,
                date ? new Date(date).toISOString() : undefined,
              ),
            );
          }}
        />
      )}
      {panel === 'close' && (
        <ChoiceForm
          idPrefix="close"
          label={t('closeReason')}
          options={actions.closeReasons}
          onCancel={() => setPanel('none')}
          onSave={async (reason) => {
            // A closed case leaves "My cases": back to the list rather than a missing case.
            if (await online(() => closeCase(id, c.version ?? 0, reason))) {
              go('cases');
            }
          }}
        />
      )}

      <h2>{t('attempts')}</h2>
      <AttemptList c={c} pending={pendingHere.length} />
      <h2>{t('consents')}</h2>
      {c.consents === null ? (
        <Value value={null} />
      ) : (
        <ul id="consent-list">
          {c.consents.map((k) => (
            <li key={k.id}>
              {tCode('scope', k.scope)} · {formatDate(k.grantedAt)} ·{' '}
              {k.inForce ? t('inForce') : t('notInForce')}
            </li>
          ))}
        </ul>
      )}
      <h2>{t('referrals')}</h2>
      {c.serviceReferrals === null ? (
        <Value value={null} />
      ) : (
        <ul id="referral-list">
          {c.serviceReferrals.map((r) => (
            <li key={r.id}>
              {tCode('ref', r.type)} · {r.toResource?.name ?? ''} · {tCode('refStatus', r.status)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function AttemptList({ c, pending }: { c: CaseView; pending: number }) {
  if (c.outreachAttempts === null) return <Value value={null} />;
  if (c.outreachAttempts.length === 0 && pending === 0) return <p>{t('noAttempts')}</p>;
  return (
    <ol class="attempts" id="attempt-list">
      {c.outreachAttempts.map((a) => (
        <li key={a.id}>
          <strong>{formatDate(a.attemptedAt)}</strong> · {tCode('method', a.method)} ·{' '}
          {tCode('outcome', a.outcome)}
          {a.officerPresence && a.officerPresence !== 'NONE'
            ? ` · ${tCode('officer', a.officerPresence)}`
            : ''}
          {a.notes && <p class="notes">{a.notes}</p>}
        </li>
      ))}
    </ol>
  );
}

function ConsentForm(props: {
  onSave: (input: {
    scope: string;
    method: string;
    purpose: string;
    grantedAt: string;
  }) => Promise<void>;
  onCancel: () => void;
}) {
  const [scope, setScope] = useState('CONTACT_FOR_FOLLOW_UP');
  const [method, setMethod] = useState('VERBAL');
  const [purpose, setPurpose] = useState('');
  const [error, setError] = useState<Said | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (purpose.trim().length < 3)
      return setError({ say: () => t('error.FIELD_REQUIRED', { field: t('purpose') }) });
    await props.onSave({
      scope,
      method,
      purpose: purpose.trim(),
      grantedAt: new Date().toISOString(),
    });
  };
  return (
    <form class="panel" onSubmit={submit} noValidate id="consent-form">
      <h2>{t('consent')}</h2>
      <Field id="consent-scope" label={t('consentScope')}>
        <select
          id="consent-scope"
          value={scope}
          onChange={(e) => setScope((e.target as HTMLSelectElement).value)}
        >
          {['CONTACT_FOR_FOLLOW_UP', 'SHARE_WITH_TREATMENT_PROVIDER', 'CONTACT_FAMILY'].map((s) => (
            <option value={s} key={s}>
              {tCode('scope', s)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="consent-method" label={t('consentMethod')}>
        <select
          id="consent-method"
          value={method}
          onChange={(e) => setMethod((e.target as HTMLSelectElement).value)}
        >
          {['VERBAL', 'WRITTEN'].map((s) => (
            <option value={s} key={s}>
              {tCode('consentMethod', s)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="consent-purpose" label={t('purpose')}>
        <input
          id="consent-purpose"
          value={purpose}
          onInput={(e) => setPurpose((e.target as HTMLInputElement).value)}
        />
      </Field>
      {error && <Message kind="error">{error.say()}</Message>}
      <button type="submit" class="primary">
        {t('save')}
      </button>
      <button type="button" onClick={props.onCancel}>
        {t('cancel')}
      </button>
    </form>
  );
}

function ChoiceForm(props: {
  idPrefix: string;
  label: string;
  options: string[];
  withDate?: boolean;
  onSave: (value: string, date: string) => Promise<void>;
  onCancel: () => void;
}) {
  const [value, setValue] = useState(props.options[0]);
  const [date, setDate] = useState('');
  return (
    <form
      class="panel"
      id={`${props.idPrefix}-form`}
      onSubmit={(e) => {
        e.preventDefault();
        void props.onSave(value, date);
      }}
    >
      <Field id={`${props.idPrefix}-reason`} label={props.label}>
        <select
          id={`${props.idPrefix}-reason`}
          value={value}
          onChange={(e) => setValue((e.target as HTMLSelectElement).value)}
        >
          {props.options.map((o) => (
            <option value={o} key={o}>
              {tCode(props.idPrefix, o)}
            </option>
          ))}
        </select>
      </Field>
      {props.withDate && (
        <Field id={`${props.idPrefix}-date`} label={t('resumeOn')}>
          <input
            id={`${props.idPrefix}-date`}
            type="date"
            value={date}
            onInput={(e) => setDate((e.target as HTMLInputElement).value)}
          />
        </Field>
      )}
      <button type="submit" class="primary">
        {t('save')}
      </button>
      <button type="button" onClick={props.onCancel}>
        {t('cancel')}
      </button>
    </form>
  );
}
