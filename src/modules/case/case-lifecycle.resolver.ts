import { Args, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import {
  CloseCaseArgs,
  EnteredInErrorArgs,
  PutCaseOnHoldArgs,
  RecordDoNotContactArgs,
} from './case-lifecycle.input';
import {
  clearDoNotContact,
  closeCase,
  markCaseEnteredInError,
  markCaseLinked,
  putCaseOnHold,
  recordDoNotContact,
  resumeCase,
  startCaseFollowUp,
} from './workflow/lifecycle';
import { forgetCaseLists } from './case-loaders';
import { CaseChangeArgs } from './case.input';
import { CaseType } from './case.types';

async function changed(ctx: Context, result: Promise<CaseType>): Promise<CaseType> {
  const kase = await result;
  forgetCaseLists(ctx);
  return kase;
}

@Resolver(() => CaseType)
export class CaseLifecycleResolver {
  @Mutation(() => CaseType, {
    description: 'OUTREACH → ON_HOLD: hospitalised, incarcerated, "later"',
  })
  putCaseOnHold(
    @Ctx() ctx: Context,
    @Args(() => PutCaseOnHoldArgs) args: PutCaseOnHoldArgs,
  ): Promise<CaseType> {
    return changed(ctx, putCaseOnHold(ctx.em, ctx.viewer, args));
  }

  @Mutation(() => CaseType, { description: 'ON_HOLD → OUTREACH, clearing the hold' })
  resumeCase(
    @Ctx() ctx: Context,
    @Args(() => CaseChangeArgs) args: CaseChangeArgs,
  ): Promise<CaseType> {
    return changed(ctx, resumeCase(ctx.em, ctx.viewer, args));
  }

  @Mutation(() => CaseType, {
    description: 'ENGAGED → LINKED: needs at least one live onward referral',
  })
  markCaseLinked(
    @Ctx() ctx: Context,
    @Args(() => CaseChangeArgs) args: CaseChangeArgs,
  ): Promise<CaseType> {
    return changed(ctx, markCaseLinked(ctx.em, ctx.viewer, args));
  }

  @Mutation(() => CaseType, { description: 'LINKED → FOLLOW_UP: longitudinal support agreed' })
  startCaseFollowUp(
    @Ctx() ctx: Context,
    @Args(() => CaseChangeArgs) args: CaseChangeArgs,
  ): Promise<CaseType> {
    return changed(ctx, startCaseFollowUp(ctx.em, ctx.viewer, args));
  }

  @Mutation(() => CaseType, { description: 'Close an open case with a reason that fits its state' })
  closeCase(
    @Ctx() ctx: Context,
    @Args(() => CloseCaseArgs) args: CloseCaseArgs,
  ): Promise<CaseType> {
    return changed(ctx, closeCase(ctx.em, ctx.viewer, args));
  }

  @Mutation(() => CaseType, {
    description:
      'The person asked not to be contacted: no agency may reach out until reviewOn (if given); ' +
      'a new overdose opens a case DO_NOT_CONTACT_ON_FILE. Declining services is not this.',
  })
  recordDoNotContact(
    @Ctx() ctx: Context,
    @Args(() => RecordDoNotContactArgs) args: RecordDoNotContactArgs,
  ): Promise<CaseType> {
    return changed(ctx, recordDoNotContact(ctx.em, ctx.viewer, args));
  }

  @Mutation(() => CaseType, {
    description:
      'The person who asked not to be contacted later asks for help: lift do-not-contact (kept ' +
      'on the timeline); a DO_NOT_CONTACT_ON_FILE case is routed again',
  })
  clearDoNotContact(
    @Ctx() ctx: Context,
    @Args(() => CaseChangeArgs) args: CaseChangeArgs,
  ): Promise<CaseType> {
    return changed(ctx, clearDoNotContact(ctx.em, ctx.viewer, args));
  }

  @Mutation(() => CaseType, {
    description: 'Administrators: void a case that should not exist, from any state',
  })
  markCaseEnteredInError(
    @Ctx() ctx: Context,
    @Args(() => EnteredInErrorArgs) args: EnteredInErrorArgs,
  ): Promise<CaseType> {
    return changed(ctx, markCaseEnteredInError(ctx.em, ctx.viewer, args));
  }
}
