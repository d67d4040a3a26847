import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import type { Referral } from '../case/referral.entity';
import { ServiceReferralType } from '../case/service-referral.types';
import { Person } from '../person/person.entity';
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
  async person(@Root() referral: Referral, @Ctx() ctx: Context): Promise<Person | null> {
    const personId = await treatmentMaySeePerson(ctx.em, ctx.viewer, referral);
    return personId ? ctx.em.findOne(Person, personId) : null;
  }
}
