import { OptimisticLockError, ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReadyConfig } from '../../config';
import type { Viewer } from '../../auth/viewer';
import { badInput, conflict } from '../../errors/hub-errors';
import { isUuid } from '../../common/uuid';
import { Case } from '../case/case.entity';
import { filePersonFromReport } from '../person/person.service';
import { ReportedIdentity } from '../person/reported-identity.entity';
import { coveredCounties, reportProblems } from './incident-validation';
import { getOwnIncident } from './incident-query.service';
import { OverdoseIncident } from './incident.entity';
import type { ReportIncidentInput } from './incident.input';
import { addNaloxone, reportedFacts } from './incident-data';
import { NaloxoneAdministration } from './naloxone-administration.entity';

const STALE = 'Incident was changed since you read it; reload it and send the amendment again';

/**
 * A corrected report from the agency that sent it: the whole report is sent again and replaces
 * the stored one. The client sends the version it read; a stale version is a CONFLICT and nothing
 * changes. A corrected identity is re-filed in the vault and the case follows it.
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

  const updatedId = await em
    .fork()
    .transactional(async (tx) => {
      const incident = await getOwnIncident(tx, viewer, id);
      if (incident.version !== version) {
        throw conflict(STALE);
      }
      if (input.externalId !== incident.externalId) {
        throw badInput({ field: 'input.externalId', message: 'cannot be changed by an amendment' });
      }
      Object.assign(incident, reportedFacts(input));
      await tx.nativeDelete(NaloxoneAdministration, { incident: incident.id });
      addNaloxone(tx, incident, input.naloxone ?? []);
      await refileIdentity(tx, incident, input, config.personKeySecret);
      // Always a change, so the version moves even when only doses or identity were corrected.
      incident.updatedAt = new Date();
      return incident.id;
    })
    .catch((error: unknown) => {
      // Another amendment committed between our read and our write (the version column caught it).
      if (error instanceof OptimisticLockError) throw conflict(STALE);
      throw error;
    });
  return em.findOneOrFail(OverdoseIncident, updatedId, { refresh: true });
}

async function refileIdentity(
  tx: EntityManager,
  incident: OverdoseIncident,
  input: ReportIncidentInput,
  secret: string,
): Promise<void> {
  await tx.nativeDelete(ReportedIdentity, { incident: incident.id });
  const kase = await tx.findOne(Case, { indexIncident: incident.id });
  // A removed identity unlinks the report: the person was probably someone else.
  const person = input.survivor
    ? await filePersonFromReport(tx, incident, input.survivor, secret)
    : undefined;
  incident.person = person ? ref(person) : undefined;
  if (kase) kase.person = person ? ref(person) : undefined;
}
