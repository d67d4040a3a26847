import { useEffect, useState } from 'preact/hooks';
import { language, t, tCode, type Language } from '../i18n';
import {
  fetchResources,
  referOnward,
  type ResourceFilter,
  type ResourceView,
} from '../api/operations';
import { distanceKm, loadCounties, type County } from '../geo/county';
import { syncNow } from '../store';
import { Field, Message, errorText, type Said } from './common';
import { useAppState, queryParam } from './hooks';
import { Sheet } from './Sheet';
import { caseActions } from './case-actions';

const PAYMENTS = [
  'MEDICAID',
  'MEDICARE',
  'PRIVATE_INSURANCE',
  'SELF_PAY',
  'SLIDING_SCALE',
  'NO_PAYMENT',
];

/**
 * The resource directory with the filters a worker needs at the door. The directory has no
 * coordinates, only the county: "distance" is from the phone to the centre of the listing's
 * county, enough to put the nearest counties first.
 */
export function Resources() {
  const app = useAppState();
  const caseId = queryParam('case');
  // Referring needs an engaged case; otherwise the directory is for the sheet only.
  const caseView = app.cases.find((c) => c.id === caseId && caseActions(c.status).refer);
  const [moud, setMoud] = useState('');
  const [payment, setPayment] = useState('');
  const [openNow, setOpenNow] = useState(false);
  const [spanish, setSpanish] = useState(false);
  const [here, setHere] = useState<[number, number] | null>(null);
  const [counties, setCounties] = useState<County[] | null>(null);
  const [list, setList] = useState<ResourceView[] | null>(null);
  const [error, setError] = useState<Said | null>(null);
  const [sheetFor, setSheetFor] = useState<ResourceView | null>(null);
  const [done, setDone] = useState<Said | null>(null);

  const search = async () => {
    setError(null);
    const filter: ResourceFilter = {};
    if (moud) filter.moud = moud;
    if (payment) filter.paymentAccepted = [payment];
    if (openNow) filter.openNow = true;
    if (spanish) filter.language = 'es';
    try {
      const answer = await fetchResources(filter);
      if (!answer.data?.resources) setError({ say: () => t('notForRole') });
      setList(answer.data?.resources?.edges.map((e) => e.node) ?? []);
    } catch (e) {
      setError({ say: () => errorText(e) });
    }
  };
  useEffect(() => {
    void search();
  }, []);

  const locate = () =>
    navigator.geolocation.getCurrentPosition(
      async (pos) => {
        setHere([pos.coords.longitude, pos.coords.latitude]);
        setCounties(await loadCounties());
      },
      () => setError({ say: () => t('countyNotFound') }),
    );

  const distance = (r: ResourceView) => {
    if (!here || !counties || !r.county) return null;
    const county = counties.find((c) => c.fips === r.county);
    return county ? Math.round(distanceKm(here, county.center)) : null;
  };
  const sorted = [...(list ?? [])].sort((a, b) => (distance(a) ?? 1e9) - (distance(b) ?? 1e9));

  const refer = async (r: ResourceView) => {
    if (!caseView) return;
    try {
      const type = r.services?.includes('MOUD')
        ? 'TREATMENT_MOUD'
        : r.services?.includes('DETOX')
          ? 'DETOX'
          : 'PEER_SUPPORT';
      await referOnward(caseView.id, caseView.version ?? 0, type, r.id);
      await syncNow();
      setDone({ say: () => t('referred') });
    } catch (e) {
      setError({ say: () => errorText(e) });
    }
  };

  if (sheetFor)
    return (
      <Sheet
        resource={sheetFor}
        onClose={() => setSheetFor(null)}
        initial={language() as Language}
      />
    );

  return (
    <section aria-labelledby="resources-title">
      <h1 id="resources-title">{t('findHelp')}</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <Field id="filter-moud" label={t('filterMoud')}>
          <select
            id="filter-moud"
            value={moud}
            onChange={(e) => setMoud((e.target as HTMLSelectElement).value)}
          >
            <option value="">{t('anyMoud')}</option>
            {['BUPRENORPHINE', 'METHADONE', 'NALTREXONE'].map((m) => (
              <option value={m} key={m}>
                {tCode('moud', m)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="filter-payment" label={t('payment')}>
          <select
            id="filter-payment"
            value={payment}
            onChange={(e) => setPayment((e.target as HTMLSelectElement).value)}
          >
            <option value="">{t('anyPayment')}</option>
            {PAYMENTS.map((p) => (
              <option value={p} key={p}>
                {tCode('pay', p)}
              </option>
            ))}
          </select>
        </Field>
        <div class="check">
          <input
            id="filter-open"
            type="checkbox"
            checked={openNow}
            onChange={(e) => setOpenNow((e.target as HTMLInputElement).checked)}
          />
          <label for="filter-open">{t('openNow')}</label>
        </div>
        <div class="check">
          <input
            id="filter-es"
            type="checkbox"
            checked={spanish}
            onChange={(e) => setSpanish((e.target as HTMLInputElement).checked)}
          />
          <label for="filter-es">{t('spanishSpoken')}</label>
        </div>
        <button type="submit" class="primary">
          {t('search')}
        </button>
        <button type="button" onClick={locate}>
          {t('useMyLocation')}
        </button>
      </form>
      {error && <Message kind="error">{error.say()}</Message>}
      {done && <Message kind="ok">{done.say()}</Message>}
      {list && list.length === 0 && <p>{t('noResources')}</p>}
      <ul class="cards" id="resource-list">
        {sorted.map((r) => {
          const km = distance(r);
          return (
            <li key={r.id} class="card">
              <strong>{r.name}</strong>
              <span>{r.openNow ? t('openLabel') : t('closedLabel')}</span>
              {km !== null && <span>{t('distanceKm', { km })}</span>}
              <span>{(r.moud ?? []).map((m) => tCode('moud', m)).join(', ')}</span>
              <span>{r.phone}</span>
              <div class="actions">
                <button type="button" onClick={() => setSheetFor(r)}>
                  {t('sheet')}
                </button>
                {caseView && (
                  <button type="button" onClick={() => refer(r)} disabled={!app.online}>
                    {t('referTo')}
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
