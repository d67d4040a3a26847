import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { Agency } from '../agency/agency.entity';
import { ageBandAt } from '../person/age-band';
import { OverdoseSource } from './incident-codes';
import type { OverdoseIncident } from './incident.entity';
import type { NaloxoneAdministrationInput, ReportIncidentInput } from './incident.input';
import { NaloxoneAdministration } from './naloxone-administration.entity';
import { loadOnFirstUse } from '../../common/load-on-first-use';

/** Half a megabyte of code, needed only when a report with coordinates is written. */
const h3 = loadOnFirstUse<typeof import('h3-js')>('h3-js');

/** The incident's own fields from a report (the person is linked separately). */
export function incidentData(em: EntityManager, viewer: Viewer, input: ReportIncidentInput) {
  return {
    reportingAgency: em.getReference(Agency, viewer.agencyId),
    externalId: input.externalId,
    ...reportedFacts(input),
    reportedById: (viewer.userId ?? viewer.apiKeyId)!,
  };
}

/** What a report says happened: the fields an amendment replaces as a whole. */
export function reportedFacts(input: ReportIncidentInput) {
  return {
    occurredAt: input.occurredAt,
    county: input.county,
    street: input.address?.street?.trim(),
    city: input.address?.city?.trim(),
    state: input.address?.state,
    zip: input.address?.zip,
    latitude: input.latitude ?? undefined,
    longitude: input.longitude ?? undefined,
    h3Cell: statisticsCell(input.latitude, input.longitude),
    fatal: input.fatal,
    suspectedSubstances: input.suspectedSubstances ?? [],
    emsDisposition: input.emsDisposition ?? undefined,
    officerWarmHandoff: input.officerWarmHandoff ?? false,
    source: input.source ?? OverdoseSource.EMERGENCY_RESPONSE,
    naloxoneKitsLeftBehind: input.naloxoneKitsLeftBehind ?? undefined,
    consentToPeerContact: input.consentToPeerContact ?? undefined,
    ageBand: ageBandAt(input.survivor?.dateOfBirth, input.occurredAt),
  };
}

/** One naloxone administration's fields as reported. */
export function naloxoneData(dose: NaloxoneAdministrationInput) {
  return {
    administeredAt: dose.administeredAt ?? undefined,
    doseMg: dose.doseMg === undefined || dose.doseMg === null ? undefined : String(dose.doseMg),
    route: dose.route,
    administeredBy: dose.administeredBy,
    response: dose.response ?? undefined,
  };
}

export function addNaloxone(
  em: EntityManager,
  incident: OverdoseIncident,
  doses: NaloxoneAdministrationInput[],
): void {
  for (const dose of doses) em.create(NaloxoneAdministration, { incident, ...naloxoneData(dose) });
}

/** H3 resolution 7: hexagons of about 5.2 km², coarse enough to outlive the exact place. */
export const STATISTICS_H3_RESOLUTION = 7;

export function statisticsCell(
  latitude: number | null | undefined,
  longitude: number | null | undefined,
): string | undefined {
  if (latitude === null || latitude === undefined || longitude === null || longitude === undefined)
    return undefined;
  return h3().latLngToCell(latitude, longitude, STATISTICS_H3_RESOLUTION);
}
