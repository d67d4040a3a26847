import { ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReadyConfig } from '../../config';
import type { Viewer } from '../../auth/viewer';
import { flushVersioned, staleAsConflict } from '../../common/optimistic-lock';
import { isUuid } from '../../common/uuid';
import { badInput, conflict } from '../../errors/hub-errors';
import { incidentAmended } from '../../modules/case/workflow/amendment';
import { actorOf } from '../../modules/case/workflow/case-lock';
import { addNaloxone, reportedFacts } from '../../modules/incident/incident-data';
import { getOwnIncident } from '../../modules/incident/incident-query.service';
import { coveredCounties, reportProblems } from '../../modules/incident/incident-validation';
import { OverdoseIncident } from '../../modules/incident/incident.entity';
import type { ReportIncidentInput } from '../../modules/incident/incident.input';
import { NaloxoneAdministration } from '../../modules/incident/naloxone-administration.entity';
import { followAmendedReport } from '../../modules/incident/overdose-event-rows';
import { ReportedIdentity } from '../../modules/incident/reported-identity.entity';
import { fileSurvivor, identityAsEntered } from '../../modules/person/person.service';

const STALE = 'Incident was changed since you read it; reload it and send the amendment again';

/**
 * A corrected report from the agency that sent it: the whole report is sent again and replaces
 * the stored one. The client sends the version it read; a stale version is a CONFLICT and nothing
 * changes. A corrected identity is re-filed in the vault; the case follows through the workflow
 * (its person, and a new county or fatal flag re-triages it: workflow/amendment.ts).
 */
export async function amendIncident(
  em: EntityManager,
  viewer: Viewer,
  config: ReadyConfig,
  id: string,
  version: number,
  input: ReportIncidentInput,
): Promise<OverdoseIncident> {
  // A report taken as history may be corrected although it is older than the intake limit.
  const historical =
    isUuid(id) &&
    (await em.count(OverdoseIncident, {
      id,
      reportingAgency: viewer.agencyId,
      historical: true,
    })) > 0;
  const problems = await reportProblems(input, 'input', viewer, config, new Date(), {
    backfill: historical,
  });
  const covered = await coveredCounties(em, [input.county]);
  if (/^\d{5}$/.test(input.county) && !covered.has(input.county)) {
    problems.push({ field: 'input.county', message: 'is outside every agency’s service area' });
  }
  if (problems.length > 0) throw badInput(problems);

  const updatedId = await staleAsConflict(STALE, () =>
    em.fork().transactional(async (tx) => {
      const incident = await getOwnIncident(tx, viewer, id);
      if (incident.version !== version) throw conflict(STALE);
      if (input.externalId !== incident.externalId) {
        throw badInput({ field: 'input.externalId', message: 'cannot be changed by an amendment' });
      }
      Object.assign(incident, reportedFacts(input));
      await tx.nativeDelete(NaloxoneAdministration, { incident: incident.id });
      addNaloxone(tx, incident, input.naloxone ?? []);
      await tx.nativeDelete(ReportedIdentity, { incident: incident.id });
      // A removed identity unlinks the report: the person was probably someone else.
      const person = input.survivor
        ? await fileSurvivor(tx, input.survivor, config.personKeySecret)
        : undefined;
      if (input.survivor) {
        tx.create(ReportedIdentity, { incident, ...identityAsEntered(input.survivor) });
      }
      incident.person = person ? ref(person) : undefined;
      // Always a change, so the version moves even when only doses or identity were corrected.
      incident.updatedAt = new Date();
      await flushVersioned(tx, STALE);
      await followAmendedReport(tx, incident.id);
      await incidentAmended(tx, {
        incidentId: incident.id,
        reportingAgencyId: viewer.agencyId,
        personId: person?.id,
        county: incident.county,
        fatal: incident.fatal,
        actorId: actorOf(viewer),
      });
      return incident.id;
    }),
  );
  return em.findOneOrFail(OverdoseIncident, updatedId, { refresh: true });
}
