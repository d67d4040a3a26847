import 'reflect-metadata';
import { mapPcr } from '../src/modules/import/nemsis-mapper';
import type { RawPcr } from '../src/modules/import/nemsis-reader';
import { mapRmsRow } from '../src/modules/import/rms-mapper';

/** A PCR as the reader hands it over; only what each test is about is given. */
function pcr(
  values: Record<string, string | string[]>,
  medications: Array<Record<string, string>> = [],
): RawPcr {
  return {
    ordinal: 1,
    values: new Map(
      Object.entries({
        'eRecord.01': 'PCR-1',
        'eTimes.01': '2026-11-20T02:14:00-05:00',
        'eScene.21': '37021',
        ...values,
      }).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]),
    ),
    medications: medications.map((m) => new Map(Object.entries(m))),
  };
}

const naloxone = (overrides: Record<string, string> = {}) => ({
  'eMedications.03': '7242',
  'eMedications.04': '9927017',
  'eMedications.07': '9916001',
  'eMedications.10': '9905007',
  ...overrides,
});

describe('NEMSIS PCR mapping', () => {
  it('skips a PCR that is neither an overdose impression nor a naloxone reversal', () => {
    expect(mapPcr(pcr({ 'eSituation.11': 'I21.9' })).kind).toBe('skip');
    // Naloxone without improvement is not an overdose by the case definition.
    expect(mapPcr(pcr({}, [naloxone({ 'eMedications.07': '9916003' })])).kind).toBe('skip');
  });

  it('takes a stimulant poisoning without naloxone as an overdose, with its substance', () => {
    const mapped = mapPcr(pcr({ 'eSituation.11': 'T40.5X1A' }));
    expect(mapped.kind === 'report' && mapped.input.suspectedSubstances).toEqual(['COCAINE']);
  });

  it('makes a death on scene fatal and DEAD_AT_SCENE', () => {
    const mapped = mapPcr(
      pcr({
        'eSituation.11': 'T40.411A',
        'eDisposition.19': '4219007',
        'eDisposition.30': '4230013',
      }),
    );
    expect(mapped.kind === 'report' && [mapped.input.fatal, mapped.input.emsDisposition]).toEqual([
      true,
      'DEAD_AT_SCENE',
    ]);
  });

  it('leaves out a dose in a unit without mass, with a warning, and keeps the record', () => {
    const mapped = mapPcr(
      pcr({}, [naloxone({ 'eMedications.05': '1', 'eMedications.06': '3706025' })]),
    );
    expect(mapped.kind).toBe('report');
    if (mapped.kind !== 'report') return;
    expect(mapped.input.naloxone[0].doseMg).toBeUndefined();
    expect(mapped.problems).toEqual([
      {
        field: 'eMedications.MedicationGroup[1]/eMedications.06',
        reason: 'is not a mass unit (mg, mcg, g), so the dose was left out',
        level: 'warning',
      },
    ]);
  });

  it('names every unknown code of a record, without its value', () => {
    const mapped = mapPcr(
      pcr({ 'ePatient.25': '9919999', 'eDisposition.30': '4230099', 'ePatient.02': 'Smith' }, [
        naloxone({ 'eMedications.10': '9905023' }),
      ]),
    );
    expect(mapped.kind).toBe('invalid');
    if (mapped.kind !== 'invalid') return;
    expect(mapped.problems.map((p) => p.field).sort()).toEqual([
      'eDisposition.30',
      'eMedications.MedicationGroup[1]/eMedications.10',
      'ePatient.25',
    ]);
    expect(JSON.stringify(mapped.problems)).not.toMatch(/9919999|4230099|9905023|Smith/);
  });

  it('names the element behind a problem found by intake', () => {
    const mapped = mapPcr(pcr({}, [{ 'eMedications.03': '1191' }, naloxone()]));
    expect(mapped.kind).toBe('report');
    if (mapped.kind !== 'report') return;
    expect(mapped.elementFor('naloxone.0.doseMg')).toBe(
      'eMedications.MedicationGroup[2]/eMedications.05',
    );
    expect(mapped.elementFor('occurredAt')).toBe('eTimes.01');
    expect(mapped.elementFor('survivor.dateOfBirth')).toBe('ePatient.17');
  });
});

describe('RMS row mapping', () => {
  const row = {
    case_number: 'RMS-1',
    incident_datetime: '2026-11-21T23:10:00-05:00',
    county_fips: '37021',
    fatal: 'n',
  };

  it('needs a route when doses are given, and doses when naloxone details are given', () => {
    const withoutRoute = mapRmsRow({ ...row, naloxone_doses: '1' }, {});
    expect(withoutRoute.kind === 'invalid' && withoutRoute.problems.map((p) => p.field)).toEqual([
      'naloxone_route',
    ]);
    const withoutDoses = mapRmsRow({ ...row, naloxone_route: 'IN' }, {});
    expect(withoutDoses.kind === 'invalid' && withoutDoses.problems.map((p) => p.field)).toEqual([
      'naloxone_doses',
    ]);
  });

  it('reads a local time with the offset it is given', () => {
    const mapped = mapRmsRow(
      { ...row, incident_datetime: '2026-11-21 23:10' },
      { utcOffset: '-05:00' },
    );
    expect(mapped.kind === 'report' && mapped.input.occurredAt.toISOString()).toBe(
      '2026-11-22T04:10:00.000Z',
    );
  });
});
