import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { countyAt, loadCounties } from '../geo/county';
import { queue } from '../store';
import { Field, Message } from './common';
import { reportExtras, type PeerContactAnswer } from './quick-report-extras';
import { useAppState } from './hooks';

const localNow = () => {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
};

/**
 * Police and EMS: time, place (the phone's position → county), fatal, naloxone given; a name
 * only if the responder has it; if they can, the naloxone kits left and the person's answer to
 * "may a peer contact you?" (YES is a consent to follow-up contact; NO blocks contact until the
 * person comes back to it). Saved on the phone first, so a report made without signal is
 * sent later (the hub ignores a second copy of the same report id).
 */
export function QuickReport() {
  const app = useAppState();
  const [when, setWhen] = useState(localNow());
  const [county, setCounty] = useState('');
  const [coords, setCoords] = useState<{ latitude: number; longitude: number } | null>(null);
  const [fatal, setFatal] = useState<boolean | null>(null);
  const [naloxone, setNaloxone] = useState<boolean | null>(null);
  const [first, setFirst] = useState('');
  const [last, setLast] = useState('');
  const [dob, setDob] = useState('');
  const [kits, setKits] = useState('');
  const [peerContact, setPeerContact] = useState<PeerContactAnswer | null>(null);
  const [message, setMessage] = useState<{
    kind: 'ok' | 'error' | 'info';
    say: () => string;
  } | null>(null);
  const responder = app.me?.role === 'POLICE_OFFICER' ? 'POLICE' : 'EMS';

  const locate = () =>
    navigator.geolocation.getCurrentPosition(
      async (pos) => {
        const found = countyAt(await loadCounties(), pos.coords.longitude, pos.coords.latitude);
        setCoords({ latitude: pos.coords.latitude, longitude: pos.coords.longitude });
        if (found) {
          setCounty(found.fips);
          setMessage({
            kind: 'info',
            say: () => t('countyFound', { fips: `${found.fips} ${found.name}` }),
          });
        } else setMessage({ kind: 'error', say: () => t('countyNotFound') });
      },
      () => setMessage({ kind: 'error', say: () => t('countyNotFound') }),
      { enableHighAccuracy: false, timeout: 15_000 },
    );

  const submit = async (e: Event) => {
    e.preventDefault();
    const missing = [
      !when && t('occurredAt'),
      !/^\d{5}$/.test(county) && t('county'),
      fatal === null && t('fatal'),
      naloxone === null && t('naloxoneGiven'),
    ].filter(Boolean);
    const extras = reportExtras(kits, peerContact);
    if (extras === 'invalid') missing.push(t('kitsLeftBehind'));
    if (missing.length > 0)
      return setMessage({
        kind: 'error',
        say: () => t('error.FIELD_REQUIRED', { field: missing.join(', ') }),
      });
    const occurredAt = new Date(when).toISOString();
    const named = first || last || dob;
    const result = await queue({
      kind: 'report',
      caseId: '',
      baseVersion: 0,
      input: {
        externalId: `app-${crypto.randomUUID()}`,
        occurredAt,
        county,
        ...(coords ?? {}),
        fatal: Boolean(fatal),
        naloxone: naloxone
          ? [{ administeredAt: occurredAt, administeredBy: responder, route: 'OTHER' }]
          : [],
        survivor: named
          ? {
              firstName: first || undefined,
              lastName: last || undefined,
              dateOfBirth: dob || undefined,
            }
          : null,
        ...(extras === 'invalid' ? {} : extras),
      },
    });
    setMessage(
      result === 'sent'
        ? { kind: 'ok', say: () => t('reportSent') }
        : result === 'queued'
          ? { kind: 'info', say: () => t('reportQueued') }
          : { kind: 'error', say: () => t('rejectedTitle') },
    );
  };

  /** One question answered by a radio button per option (labelled by `say`). */
  const choice = <T,>(
    id: string,
    label: string,
    options: readonly T[],
    say: (v: T) => string,
    value: T | null,
    set: (v: T) => void,
  ) => (
    <fieldset class="yes-no">
      <legend>{label}</legend>
      {options.map((v) => (
        <span key={String(v)}>
          <input
            type="radio"
            id={`${id}-${String(v)}`}
            name={id}
            checked={value === v}
            onChange={() => set(v)}
          />
          <label for={`${id}-${String(v)}`}>{say(v)}</label>
        </span>
      ))}
    </fieldset>
  );
  const yesNo = (id: string, label: string, value: boolean | null, set: (v: boolean) => void) =>
    choice(id, label, [true, false], (v) => (v ? t('yes') : t('no')), value, set);

  return (
    <section aria-labelledby="report-title">
      <h1 id="report-title">{t('report')}</h1>
      <p>{t('reportIntro')}</p>
      <form onSubmit={submit} noValidate id="report-form">
        <Field id="report-when" label={t('occurredAt')}>
          <input
            id="report-when"
            type="datetime-local"
            value={when}
            onInput={(e) => setWhen((e.target as HTMLInputElement).value)}
          />
        </Field>
        <Field id="report-county" label={`${t('place')}: ${t('county')}`}>
          <input
            id="report-county"
            inputMode="numeric"
            maxLength={5}
            value={county}
            onInput={(e) => setCounty((e.target as HTMLInputElement).value)}
          />
        </Field>
        <button type="button" onClick={locate}>
          {t('useLocation')}
        </button>
        {yesNo('report-fatal', t('fatal'), fatal, setFatal)}
        {yesNo('report-naloxone', t('naloxoneGiven'), naloxone, setNaloxone)}
        <Field id="report-kits" label={t('kitsLeftBehind')}>
          <input
            id="report-kits"
            inputMode="numeric"
            maxLength={2}
            value={kits}
            onInput={(e) => setKits((e.target as HTMLInputElement).value)}
          />
        </Field>
        {choice(
          'report-peer',
          t('peerContact'),
          ['YES', 'NO', 'NOT_ASKED'] as const,
          (v) => (v === 'YES' ? t('yes') : v === 'NO' ? t('no') : t('notAsked')),
          peerContact,
          setPeerContact,
        )}
        <details>
          <summary>{t('identityOptional')}</summary>
          <Field id="report-first" label={t('firstName')}>
            <input
              id="report-first"
              autoComplete="off"
              value={first}
              onInput={(e) => setFirst((e.target as HTMLInputElement).value)}
            />
          </Field>
          <Field id="report-last" label={t('lastName')}>
            <input
              id="report-last"
              autoComplete="off"
              value={last}
              onInput={(e) => setLast((e.target as HTMLInputElement).value)}
            />
          </Field>
          <Field id="report-dob" label={t('dateOfBirth')}>
            <input
              id="report-dob"
              type="date"
              value={dob}
              onInput={(e) => setDob((e.target as HTMLInputElement).value)}
            />
          </Field>
        </details>
        {message && <Message kind={message.kind}>{message.say()}</Message>}
        <button type="submit" class="primary">
          {t('sendReport')}
        </button>
      </form>
    </section>
  );
}
