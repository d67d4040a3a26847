import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { batchLoader } from '../../common/batch-loader';
import type { Context } from '../../context';
import { CaseType } from '../case/case.types';
import type { FamilyContact } from './family-contact.entity';
import { FamilyContactInput } from './family-contact.input';
import { loadFamilyContacts, recordFamilyContact } from './family-contact.service';
import { FamilyContactType } from './family-contact.types';

const familyLoader = (ctx: Context) =>
  batchLoader<FamilyContact[]>(
    ctx,
    'case.familyContacts',
    (ids) => loadFamilyContacts(ctx.em, ids),
    [],
  );

@Resolver(() => FamilyContactType)
export class FamilyContactResolver {
  @Mutation(() => FamilyContactType, {
    description:
      'Record a family member to contact; needs the person’s CONTACT_FAMILY consent naming ' +
      'your agency in force',
  })
  async recordFamilyContact(
    @Ctx() ctx: Context,
    @Arg('caseId', () => ID, { nullable: false }) caseId: string,
    @Arg('input', () => FamilyContactInput, { nullable: false, validate: false })
    input: FamilyContactInput,
  ): Promise<FamilyContact> {
    const contact = await recordFamilyContact(ctx.em, ctx.viewer, caseId, input);
    familyLoader(ctx).clearAll();
    return contact;
  }
}

@Resolver(() => CaseType)
export class CaseFamilyContactsResolver {
  @FieldResolver(() => [FamilyContactType], { description: 'Oldest first' })
  familyContacts(@Root() kase: CaseType, @Ctx() ctx: Context): Promise<FamilyContact[]> {
    return familyLoader(ctx).load(kase.id);
  }
}
