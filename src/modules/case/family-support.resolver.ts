import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { batchLoader } from '../../common/batch-loader';
import { Role } from '../../common/role';
import { badInput } from '../../errors/hub-errors';
import { loadIdentityViews } from '../person/identity-view';
import { PersonType } from '../person/person.types';
import { listFamilySupportCases } from './family-support.query';
import { FamilySupportCaseType } from './family-support.types';

const MAX = 100;

@Resolver(() => FamilySupportCaseType)
export class FamilySupportCaseResolver {
  @Query(() => [FamilySupportCaseType], {
    description: `Your agency's family-support cases, newest first (at most ${MAX})`,
  })
  familySupportCases(
    @Ctx() { em, viewer }: Context,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
  ): Promise<FamilySupportCaseType[]> {
    if (!Number.isInteger(first) || first < 1 || first > MAX) {
      throw badInput({ field: 'first', message: `must be between 1 and ${MAX}` });
    }
    return listFamilySupportCases(em, viewer, first);
  }

  /** The decedent as the agency's sources allow (identity-view.ts); nothing while sealed. */
  @FieldResolver(() => PersonType)
  person(@Root() fs: FamilySupportCaseType, @Ctx() ctx: Context): Promise<PersonType | null> {
    if (fs.identitySealed || ctx.viewer.role !== Role.OUTREACH_WORKER || !fs.personId) {
      return Promise.resolve(null);
    }
    return batchLoader<PersonType | null>(
      ctx,
      'familySupport.personView',
      (ids) => loadIdentityViews(ctx.em, ctx.viewer.agencyId, ids),
      null,
    ).load(fs.personId);
  }
}
