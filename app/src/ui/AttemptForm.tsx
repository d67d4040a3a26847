import { useState } from 'preact/hooks';
import { t, tCode, type MessageKey } from '../i18n';
import type { AttemptInput, CaseView } from '../api/operations';
import { Field, Message } from './common';
import {
  allowedLeftBehind,
  missingAttemptFields,
  survivorReached,
  NOTHING_LEFT_OUTCOMES,
} from './guardrails';

const OUTCOMES = [
  'CONTACT_SURVIVOR_ENGAGED',
  'CONTACT_SURVIVOR_DECLINED',
  'CONTACT_SOCIAL_NETWORK_CONSENTED',
  'NO_ANSWER',
  'NOT_AT_ADDRESS',
  'THIRD_PARTY_ANSWERED',
  'MOVED',
  'WRONG_OR_DISCONNECTED_NUMBER',
  'HOSPITALIZED',
  'INCARCERATED',
  'UNSAFE_OR_ABORTED',
  'DECEASED',
];

const localNow = () => {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
};

/** Log one try to reach the person, with the practice rules said in plain words beside it. */
export function AttemptForm(props: {
  caseView: CaseView;
  onSave: (input: AttemptInput) => Promise<void>;
  onCancel: () => void;
}) {
  const [method, setMethod] = useState('');
  const [outcome, setOutcome] = useState('');
  const [officer, setOfficer] = useState('NONE');
  const [when, setWhen] = useState(localNow());
  const [notes, setNotes] = useState('');
  const [left, setLeft] = useState({
    naloxoneKitsForPerson: 0,
    naloxoneKitsForFamily: 0,
    fentanylTestStrips: 0,
    overdosePreventionLiterature: false,
    peerSupportContactCard: false,
    syringeServicesInformation: false,
  });
  const [missing, setMissing] = useState<string[]>([]);
  const reached = survivorReached(outcome);
  const locked = outcome !== '' && !reached;
  const allowed = allowedLeftBehind(outcome, left);

  const submit = async (e: Event) => {
    e.preventDefault();
    const problems = missingAttemptFields({
      method,
      outcome,
      attemptedAt: when,
      officerPresence: officer,
    });
    setMissing(problems);
    if (problems.length > 0) return;
    await props.onSave({
      attemptedAt: new Date(when).toISOString(),
      method,
      outcome,
      officerPresence: method === 'VISIT' ? officer : officer || 'NONE',
      ...allowed,
      notes: notes.trim() || null,
    });
  };

  const number = (
    key: 'naloxoneKitsForPerson' | 'naloxoneKitsForFamily' | 'fentanylTestStrips',
    label: MessageKey,
  ) => (
    <Field id={`left-${key}`} label={t(label)}>
      <input
        id={`left-${key}`}
        type="number"
        min={0}
        max={50}
        inputMode="numeric"
        disabled={locked}
        value={allowed[key]}
        onInput={(e) =>
          setLeft({
            ...left,
            [key]: Math.max(0, Number((e.target as HTMLInputElement).value) || 0),
          })
        }
      />
    </Field>
  );
  const check = (
    key: 'overdosePreventionLiterature' | 'peerSupportContactCard' | 'syringeServicesInformation',
    label: MessageKey,
  ) => {
    const disabled = key === 'peerSupportContactCard' ? NOTHING_LEFT_OUTCOMES.has(outcome) : locked;
    return (
      <div class="check">
        <input
          id={`left-${key}`}
          type="checkbox"
          disabled={disabled}
          checked={allowed[key]}
          onChange={(e) => setLeft({ ...left, [key]: (e.target as HTMLInputElement).checked })}
        />
        <label for={`left-${key}`}>{t(label)}</label>
      </div>
    );
  };

  return (
    <form class="panel" id="attempt-form" onSubmit={submit} noValidate>
      <h2>{t('logAttempt')}</h2>
      <aside class="guardrails" aria-labelledby="guard-title">
        <h3 id="guard-title">{t('guard.title')}</h3>
        <ul>
          <li>{t('guard.notReached')}</li>
          <li>{t('guard.officer')}</li>
          <li>{t('guard.timing')}</li>
          {props.caseView.person?.doNotDiscloseToHousehold && (
            <li>
              <strong>{t('guard.household')}</strong>
            </li>
          )}
        </ul>
      </aside>
      <Field id="attempt-method" label={`${t('method')} (${t('required')})`}>
        <select
          id="attempt-method"
          value={method}
          aria-invalid={missing.includes('method')}
          onChange={(e) => setMethod((e.target as HTMLSelectElement).value)}
        >
          <option value="">—</option>
          {['PHONE', 'TEXT', 'VISIT'].map((m) => (
            <option value={m} key={m}>
              {tCode('method', m)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="attempt-outcome" label={`${t('outcome')} (${t('required')})`}>
        <select
          id="attempt-outcome"
          value={outcome}
          aria-invalid={missing.includes('outcome')}
          onChange={(e) => setOutcome((e.target as HTMLSelectElement).value)}
        >
          <option value="">—</option>
          {OUTCOMES.map((o) => (
            <option value={o} key={o}>
              {tCode('outcome', o)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="attempt-officer" label={t('officer')}>
        <select
          id="attempt-officer"
          value={officer}
          onChange={(e) => setOfficer((e.target as HTMLSelectElement).value)}
        >
          {['NONE', 'WARM_HANDOFF_ONLY', 'PLAIN_CLOTHES', 'UNIFORMED'].map((o) => (
            <option value={o} key={o}>
              {tCode('officer', o)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="attempt-when" label={t('when')}>
        <input
          id="attempt-when"
          type="datetime-local"
          value={when}
          onInput={(e) => setWhen((e.target as HTMLInputElement).value)}
        />
      </Field>
      <fieldset>
        <legend>{t('leftBehind')}</legend>
        {locked && (
          <p class="msg info" id="left-locked">
            {t('guard.leftWhenNotReached')}
          </p>
        )}
        {number('naloxoneKitsForPerson', 'kitsPerson')}
        {number('naloxoneKitsForFamily', 'kitsFamily')}
        {number('fentanylTestStrips', 'strips')}
        {check('overdosePreventionLiterature', 'literature')}
        {check('peerSupportContactCard', 'peerCard')}
        {check('syringeServicesInformation', 'syringeInfo')}
      </fieldset>
      <Field id="attempt-notes" label={t('notes')}>
        <textarea
          id="attempt-notes"
          rows={3}
          maxLength={4000}
          value={notes}
          onInput={(e) => setNotes((e.target as HTMLTextAreaElement).value)}
        />
      </Field>
      {missing.length > 0 && (
        <Message kind="error">
          {t('error.FIELD_REQUIRED', { field: missing.map((m) => t(m as MessageKey)).join(', ') })}
        </Message>
      )}
      <button type="submit" class="primary" id="save-attempt">
        {t('save')}
      </button>
      <button type="button" onClick={props.onCancel}>
        {t('cancel')}
      </button>
    </form>
  );
}
