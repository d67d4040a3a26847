import type { EntityManager } from '@mikro-orm/postgresql';
import { OverdoseIncident } from '../../incident/incident.entity';
import type { Case } from '../case.entity';

/**
 * Where a case came from: the agency that holds what it was opened with and when it started —
 * its index report's reporting agency and overdose time, or, for a case opened from a referral
 * without a report, the agency that took the referral in and when the referral was made.
 */
export async function caseOrigin(
  em: EntityManager,
  kase: Case,
): Promise<{ agencyId: string; at: Date }> {
  if (!kase.indexIncident) return { agencyId: kase.intakeAgency!.id, at: kase.referredAt! };
  const incident = await em.findOneOrFail(
    OverdoseIncident,
    { id: kase.indexIncident.id },
    { fields: ['reportingAgency', 'occurredAt'] },
  );
  return { agencyId: incident.reportingAgency.id, at: incident.occurredAt };
}
