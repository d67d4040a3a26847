import { Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { forgetCaseLists } from './case-loaders';
import { ReassignCaseArgs } from './case.input';
import { CaseType } from './case.types';
import { agencyCaseload, type AgencyCaseload } from './caseload-query';
import { AgencyCaseloadType } from './caseload.types';
import { reassignCase } from './workflow/caseload';

@Resolver()
export class CaseloadResolver {
  @Query(() => AgencyCaseloadType, {
    description: 'Agency admins: open and overdue cases per outreach worker of the agency',
  })
  agencyCaseload(@Ctx() { em, viewer }: Context): Promise<AgencyCaseload> {
    return agencyCaseload(em, viewer);
  }

  @Mutation(() => CaseType, {
    description:
      'Agency admins: give an open, accepted case to another active outreach worker of the ' +
      'agency (the status stays; the timeline records REASSIGNED)',
  })
  async reassignCase(
    @Ctx() ctx: Context,
    @Args(() => ReassignCaseArgs) args: ReassignCaseArgs,
  ): Promise<CaseType> {
    const kase = await reassignCase(ctx.em, ctx.viewer, args);
    forgetCaseLists(ctx);
    return kase;
  }
}
