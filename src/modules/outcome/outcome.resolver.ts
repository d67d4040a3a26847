import { Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { batchLoader, groupBy } from '../../common/batch-loader';
import type { Context } from '../../context';
import { CaseType } from '../case/case.types';
import { Outcome } from './outcome.entity';
import { RecordOutcomeArgs } from './outcome.input';
import { recordOutcome } from './outcome.service';
import { OutcomeObjectType } from './outcome.types';

@Resolver(() => OutcomeObjectType)
export class OutcomeResolver {
  @Mutation(() => OutcomeObjectType, { description: 'Record what came of a case' })
  recordOutcome(
    @Ctx() { em, viewer, config }: Context,
    @Args(() => RecordOutcomeArgs) args: RecordOutcomeArgs,
  ): Promise<Outcome> {
    return recordOutcome(em, viewer, config, args);
  }
}

@Resolver(() => CaseType)
export class CaseOutcomesResolver {
  @FieldResolver(() => [OutcomeObjectType], { description: 'Outcomes, oldest first' })
  outcomes(@Root() kase: CaseType, @Ctx() ctx: Context): Promise<Outcome[]> {
    const loader = batchLoader(
      ctx,
      'case.outcomes',
      async (caseIds) => {
        const rows = await ctx.em.find(
          Outcome,
          { case: { $in: [...caseIds] } },
          { orderBy: { occurredAt: 'asc', id: 'asc' } },
        );
        return groupBy(rows, (o) => o.case.id);
      },
      [] as Outcome[],
    );
    return loader.load(kase.id);
  }
}
