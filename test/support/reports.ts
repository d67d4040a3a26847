import { randomUUID } from 'node:crypto';
import { Case } from '../../src/modules/case/case.entity';
import { unique } from './factories';
import type { TestHub } from './hub';

/**
 * A random name part of 32 letters (a UUID's hex digits as letters): person keys are built from
 * letters only, so digits would be dropped and short names would collide between reports.
 */
const uniqueLetters = (): string =>
  randomUUID()
    .replace(/-/g, '')
    .replace(/[0-9]/g, (d) => String.fromCharCode(103 + Number(d)));

/**
 * A date of birth drawn at random (1950–1999), for tests that spell a name out: with a fixed
 * one, a re-run on the same database would find the person filed by the previous run.
 */
export function randomBirthDate(): string {
  const day = Math.floor(Math.random() * 18_250);
  return new Date(Date.UTC(1950, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
}

/** A valid report body; tests override only what they are about. */
export type ReportBody = Record<string, unknown> & { externalId: string; occurredAt: string };

export function reportInput(county: string, overrides: Record<string, unknown> = {}): ReportBody {
  const occurredAt = new Date(Date.now() - 2 * 3_600_000);
  return {
    externalId: `PCR-${unique()}`,
    occurredAt: occurredAt.toISOString(),
    county,
    address: { street: '12 Elm St', city: 'Asheville', state: 'NC', zip: '28801' },
    latitude: 35.59,
    longitude: -82.55,
    fatal: false,
    suspectedSubstances: ['FENTANYL', 'XYLAZINE'],
    naloxone: [
      {
        administeredAt: new Date(occurredAt.getTime() + 600_000).toISOString(),
        doseMg: 4,
        route: 'IN',
        administeredBy: 'EMS',
        response: 'IMPROVED',
      },
    ],
    officerWarmHandoff: false,
    survivor: {
      firstName: `Alex${uniqueLetters()}`,
      lastName: `Rivera${uniqueLetters()}`,
      dateOfBirth: '1990-04-12',
      phone: '828-555-0142',
      address: { street: '4 Oak Ave', city: 'Asheville', state: 'NC', zip: '28803' },
      sex: 'FEMALE',
    },
    ...overrides,
  } as ReportBody;
}

export const REPORT_MUTATION = `
  mutation Report($input: ReportIncidentInput!) {
    reportIncident(input: $input) { status incident { id externalId version } }
  }`;

export const BATCH_MUTATION = `
  mutation Batch($inputs: [ReportIncidentInput!]!) {
    reportIncidents(inputs: $inputs) {
      createdCount alreadyReportedCount rejectedCount
      items { index externalId status incident { id } errors { field message } }
    }
  }`;

/** The case opened for a report, with its referrals and linked earlier cases, read afresh. */
export const caseOfIncident = (hub: TestHub, incidentId: string): Promise<Case> =>
  hub
    .em()
    .findOneOrFail(
      Case,
      { indexIncident: incidentId },
      { populate: ['referrals', 'priorCases'], refresh: true },
    );
