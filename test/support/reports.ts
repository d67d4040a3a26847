import { unique } from './factories';

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
      firstName: `Alex${unique().replace(/\d/g, '')}`,
      lastName: `Rivera${unique().replace(/\d/g, '')}`,
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
