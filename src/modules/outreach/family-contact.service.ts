import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { Role } from '../../common/role';
import { isUuid } from '../../common/uuid';
import { badInput, notFound } from '../../errors/hub-errors';
import { validateInput } from '../../errors/validation-problems';
import { caseScopeWhere } from '../case/case-scope';
import { Case } from '../case/case.entity';
import { hasConsentInForce } from './consent-query';
import { FamilyContact } from './family-contact.entity';
import { FamilyContactInput } from './family-contact.input';
import { ConsentScope } from './outreach-codes';

/**
 * Records a family member the worker may contact. Only for a case routed to the worker's
 * agency, and only while the person's CONTACT_FAMILY consent naming that agency is in force:
 * without it the family is not to be contacted, so nothing is written.
 */
export async function recordFamilyContact(
  em: EntityManager,
  viewer: Viewer,
  caseId: string,
  input: FamilyContactInput,
): Promise<FamilyContact> {
  const instance =
    input instanceof FamilyContactInput ? input : Object.assign(new FamilyContactInput(), input);
  const problems = await validateInput(instance, 'input');
  if (problems.length > 0) throw badInput(problems);
  return em.transactional(async (tem) => {
    const scope = caseScopeWhere(viewer);
    const kase =
      isUuid(caseId) && viewer.role === Role.OUTREACH_WORKER && scope
        ? await tem.findOne(Case, { id: caseId, ...scope })
        : null;
    if (!kase) throw notFound('Case');
    const consented =
      kase.person &&
      (await hasConsentInForce(tem, kase.person.id, ConsentScope.CONTACT_FAMILY, viewer.agencyId));
    if (!consented) {
      throw badInput({
        field: 'caseId',
        message: 'needs a CONTACT_FAMILY consent naming your agency in force',
      });
    }
    return tem.create(FamilyContact, {
      case: kase,
      name: input.name.trim(),
      relationship: input.relationship.trim(),
      phone: input.phone?.trim() || undefined,
      recordedById: viewer.userId!,
    });
  });
}

/** The family contacts of the cases, oldest first (the case field scopes who asks). */
export async function loadFamilyContacts(
  em: EntityManager,
  caseIds: readonly string[],
): Promise<Map<string, FamilyContact[]>> {
  const rows = await em.find(
    FamilyContact,
    { case: { $in: [...caseIds] } },
    { orderBy: { createdAt: 'asc', id: 'asc' } },
  );
  const byCase = new Map<string, FamilyContact[]>();
  for (const row of rows) byCase.set(row.case.id, [...(byCase.get(row.case.id) ?? []), row]);
  return byCase;
}
