import { Arg, Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { CloseCaseArgs, EnteredInErrorArgs, PutCaseOnHoldArgs } from './case-lifecycle.input';
import {
  clearDoNotContact,
  closeCase,
  markCaseEngaged,
  markCaseEnteredInError,
  markCaseLinked,
  putCaseOnHold,
  resumeCase,
  startCaseFollowUp,
} from './case-lifecycle.service';
import { attemptLoader, forgetCaseLists, timelineLoader } from './case-loaders';
import { withAttempts } from './case-timeline-query';
import { CaseEventType } from './case-timeline.types';
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
    description:
      'OUTREACH → ENGAGED: needs an attempt with a contact outcome and a CONTACT_FOR_FOLLOW_UP ' +
      'consent in force for your agency',
  })
  markCaseEngaged(
    @Ctx() ctx: Context,
    @Args(() => CaseChangeArgs) args: CaseChangeArgs,
  ): Promise<CaseType> {
    return changed(ctx, markCaseEngaged(ctx.em, ctx.viewer, args));
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
      'The person who declined later asks for help: lift do-not-contact (kept on the timeline)',
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

  @FieldResolver(() => [CaseEventType], {
    description: 'Every status change, oldest first; with withAttempts, every outreach attempt too',
  })
  async timeline(
    @Root() kase: CaseType,
    @Ctx() ctx: Context,
    @Arg('withAttempts', () => Boolean, {
      defaultValue: false,
      description: 'Interleave the outreach attempts (when they were made) with the changes',
    })
    attempts: boolean,
  ): Promise<CaseEventType[]> {
    // Each is one statement for the whole page of cases.
    const [events, made] = await Promise.all([
      timelineLoader(ctx).load(kase.id),
      attempts ? attemptLoader(ctx).load(kase.id) : Promise.resolve([]),
    ]);
    return made.length > 0 ? withAttempts(events, made) : events;
  }
}
