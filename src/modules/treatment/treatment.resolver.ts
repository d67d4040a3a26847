import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import type { Referral } from '../case/referral.entity';
import { ServiceReferralType } from '../case/service-referral.types';
import { loadIdentityViews } from '../person/identity-view';
import type { PersonType } from '../person/person.types';
import { treatmentMaySeePerson } from './treatment-consent';
import { ReferredPersonType } from './treatment-referral.types';

@Resolver(() => ServiceReferralType)
export class TreatmentReferralResolver {
  /** The permission layer checks the consent; this keeps the vault shut regardless. */
  @FieldResolver(() => ReferredPersonType, {
    description:
      'Treatment staff of the receiving agency: the person, while their ' +
      'SHARE_WITH_TREATMENT_PROVIDER consent naming your agency is in force',
  })
  async person(@Root() referral: Referral, @Ctx() ctx: Context): Promise<PersonType | null> {
    const personId = await treatmentMaySeePerson(ctx.em, ctx.viewer, referral);
    if (!personId || !ctx.viewer.agencyId) return null;
    // What the clinic may see of each source under the consent (rules/source-visible.ts): the
    // referring agency passes on what it holds; nothing comes because the person is the same.
    const views = await loadIdentityViews(ctx.em, ctx.viewer.agencyId, [personId]);
    return views.get(personId) ?? null;
  }
}
