import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { Person } from '../../person/person.entity';
import { CaseStatus, CloseReason } from '../case-codes';
import { Case } from '../case.entity';
import { cancelRoutingRequests, closeCase } from './close';
import { routeCase } from './routing';
import { recordTransition, touch } from './timeline';

/** Not yet taken by an agency: routing may still change. */
const UNTAKEN: readonly CaseStatus[] = [
  CaseStatus.TRIAGE,
  CaseStatus.REFERRED,
  CaseStatus.REFERRAL_DECLINED,
];

export interface AmendedReport {
  incidentId: string;
  reportingAgencyId: string;
  personId?: string;
  county: string;
  fatal: boolean;
  actorId?: string;
}

/**
 * A reporter corrected its report (inside the amendment's transaction): the case follows. Its
 * person follows the corrected identity. A report amended to fatal closes the case DECEASED
 * through the one close. A case closed at intake only because the report said fatal goes back to
 * triage when that is corrected (nobody acted on it; the report was wrong). A new county moves
 * the case's county and, while no agency has taken it, routes it again for that county; once an
 * agency works the case it stays with that agency.
 */
export async function incidentAmended(em: EntityManager, report: AmendedReport): Promise<void> {
  const kase = await em.findOne(
    Case,
    { indexIncident: report.incidentId },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
  );
  if (!kase) return;
  touch(kase);
  kase.person = report.personId
    ? em.getReference(Person, report.personId, { wrapped: true })
    : undefined;
  const countyChanged = kase.county !== report.county;
  kase.county = report.county;

  if (report.fatal) {
    await closeCase(em, kase, {
      reason: CloseReason.DECEASED,
      timelineReason: 'AMENDED_FATAL',
      actorId: report.actorId,
    });
    return;
  }
  if (closedAsFatalAtIntake(kase)) {
    kase.closeReason = undefined;
    kase.closedAt = undefined;
    recordTransition(em, kase, CaseStatus.TRIAGE, {
      reason: 'AMENDED_NOT_FATAL',
      actorId: report.actorId,
    });
    await routeCase(em, kase, report.reportingAgencyId, report.actorId);
    return;
  }
  if (countyChanged && UNTAKEN.includes(kase.status)) {
    await cancelRoutingRequests(em, [kase.id], report.actorId);
    if (kase.status !== CaseStatus.TRIAGE) {
      recordTransition(em, kase, CaseStatus.TRIAGE, {
        reason: 'AMENDED_COUNTY',
        actorId: report.actorId,
      });
    }
    kase.routedAgency = undefined;
    kase.assignedWorker = undefined;
    await routeCase(em, kase, report.reportingAgencyId, report.actorId);
  }
}

/** Closed DECEASED at intake and never routed: only the fatal flag closed it. */
function closedAsFatalAtIntake(kase: Case): boolean {
  return (
    kase.status === CaseStatus.CLOSED &&
    kase.closeReason === CloseReason.DECEASED &&
    !kase.routedAgency
  );
}
