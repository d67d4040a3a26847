import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import type { FieldProblem } from '../../errors/hub-errors';
import type { Case } from '../case/case.entity';
import type { CaseType } from '../case/case.types';
import type { CaseChangeRequest } from '../case/workflow/case-lock';
import { markCaseEngaged } from '../case/workflow/lifecycle';
import { hasConsentInForce } from './consent-query';
import { OutreachAttempt } from './outreach-attempt.entity';
import { CONTACT_OUTCOMES, ConsentScope } from './outreach-codes';

/**
 * OUTREACH → ENGAGED through the workflow, with outreach's proof that the person engaged: an
 * attempt with a contact outcome, and a CONTACT_FOR_FOLLOW_UP consent in force for the agency.
 */
export function engageCase(
  em: EntityManager,
  viewer: Viewer,
  args: CaseChangeRequest,
): Promise<CaseType> {
  return markCaseEngaged(em, viewer, args, engagementProblems);
}

async function engagementProblems(em: EntityManager, kase: Case): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  const contacts = await em.count(OutreachAttempt, {
    case: kase.id,
    outcome: { $in: [...CONTACT_OUTCOMES] },
  });
  if (contacts === 0) {
    problems.push({
      field: 'caseId',
      message: `no outreach attempt with a contact outcome (${CONTACT_OUTCOMES.join(', ')}) is logged`,
    });
  }
  const consented =
    kase.person !== undefined &&
    kase.routedAgency !== undefined &&
    (await hasConsentInForce(
      em,
      kase.person.id,
      ConsentScope.CONTACT_FOR_FOLLOW_UP,
      kase.routedAgency.id,
    ));
  if (!consented) {
    problems.push({
      field: 'caseId',
      message: `no consent ${ConsentScope.CONTACT_FOR_FOLLOW_UP} granted to your agency is in force`,
    });
  }
  return problems;
}
