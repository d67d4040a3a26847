import { DICTIONARIES, t } from '../src/i18n';
import { allowedLeftBehind, missingAttemptFields } from '../src/ui/guardrails';
import { countiesFromTopology, countyAt, distanceKm } from '../src/geo/county';
import counties from 'us-atlas/counties-10m.json';
import type { Topology } from 'topojson-specification';

describe('English and Spanish', () => {
  it('every message exists in both languages, with the same placeholders', () => {
    const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(DICTIONARIES.en) as Array<keyof typeof DICTIONARIES.en>) {
      expect(DICTIONARIES.es[key]).toBeTruthy();
      expect([key, placeholders(DICTIONARIES.es[key])]).toEqual([
        key,
        placeholders(DICTIONARIES.en[key]),
      ]);
    }
  });
  it('fills placeholders', () => {
    expect(t('pending', { count: 2 }, 'es')).toBe('2 por enviar');
  });
  it('the words are short (a rough plain-language check: average word under 6 letters)', () => {
    for (const lang of ['en'] as const) {
      const words = Object.values(DICTIONARIES[lang]).join(' ').split(/\s+/).filter(Boolean);
      const average =
        words.reduce((n, w) => n + w.replace(/[^\p{L}]/gu, '').length, 0) / words.length;
      expect(average).toBeLessThan(6);
    }
  });
});

describe('attempt guardrails', () => {
  const everything = {
    naloxoneKitsForPerson: 2,
    naloxoneKitsForFamily: 1,
    fentanylTestStrips: 5,
    overdosePreventionLiterature: true,
    peerSupportContactCard: true,
    syringeServicesInformation: true,
  };
  it('not reached, whoever answered: only the plain card', () => {
    expect(allowedLeftBehind('NO_ANSWER', everything)).toEqual({
      naloxoneKitsForPerson: 0,
      naloxoneKitsForFamily: 0,
      fentanylTestStrips: 0,
      overdosePreventionLiterature: false,
      peerSupportContactCard: true,
      syringeServicesInformation: false,
    });
    expect(allowedLeftBehind('THIRD_PARTY_ANSWERED', everything).peerSupportContactCard).toBe(true);
    expect(allowedLeftBehind('CONTACT_SURVIVOR_ENGAGED', everything)).toEqual(everything);
  });
  it('names the missing required fields; a visit needs the officer question answered', () => {
    expect(
      missingAttemptFields({ method: '', outcome: '', attemptedAt: '', officerPresence: '' }),
    ).toEqual(['method', 'outcome', 'when']);
    expect(
      missingAttemptFields({
        method: 'VISIT',
        outcome: 'NO_ANSWER',
        attemptedAt: 'x',
        officerPresence: '',
      }),
    ).toEqual(['officer']);
  });
});

describe('county from the phone position (us-atlas)', () => {
  const all = countiesFromTopology(counties as unknown as Topology);
  it('Asheville is in Buncombe County (37021); Marshall in Madison (37115); the sea in none', () => {
    expect(countyAt(all, -82.5515, 35.5951)?.fips).toBe('37021');
    expect(countyAt(all, -82.6843, 35.7973)?.fips).toBe('37115');
    expect(countyAt(all, -70, 30)).toBeNull();
  });
  it('distances in km', () => {
    expect(Math.round(distanceKm([-82.5515, 35.5951], [-78.6382, 35.7796]))).toBe(354);
  });
});
