import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { Role } from '../../common/role';
import type { Context } from '../../context';
import { openText } from '../../crypto/encrypted-number.type';
import { UserType } from '../agency/agency.types';
import { User } from '../agency/user.entity';
import { forgetCaseLists, timelineLoader } from '../case/case-loaders';
import { CaseEventType } from '../case/case-timeline.types';
import { CaseChangeArgs } from '../case/case.input';
import { CaseType } from '../case/case.types';
import { withAttempts } from './case-timeline-attempts';
import { engageCase } from './engage.service';
import { attemptLoader } from './outreach-loaders';
import { OutreachAttemptInput } from './outreach.input';
import { logOutreachAttempt } from './outreach.service';
import { OutreachAttemptType } from './outreach.types';

@Resolver(() => OutreachAttemptType)
export class OutreachAttemptResolver {
  // The input is validated by the service (`validate: false`), which names every problem by
  // its argument path together with the checks that need the case.
  @Mutation(() => CaseType, {
    description:
      'Log an attempt to reach the survivor; the first one starts outreach (ASSIGNED → OUTREACH)',
  })
  async logOutreachAttempt(
    @Ctx() ctx: Context,
    @Arg('caseId', () => ID, { nullable: false }) caseId: string,
    @Arg('version', () => Int, {
      nullable: false,
      description: 'The version the change is based on',
    })
    version: number,
    @Arg('input', () => OutreachAttemptInput, { nullable: false, validate: false })
    input: OutreachAttemptInput,
  ): Promise<CaseType> {
    const kase = await logOutreachAttempt(
      ctx.em,
      ctx.viewer,
      ctx.config,
      { caseId, version },
      input,
    );
    forgetCaseLists(ctx);
    return kase;
  }

  // Stored encrypted (outreach-attempt.entity.ts); attempts listed by SQL carry the stored value.
  @FieldResolver(() => String, { description: 'Visit notes; for the outreach team only' })
  notes(@Root() attempt: OutreachAttemptType): string | undefined {
    return openText(attempt.notes);
  }

  @FieldResolver(() => UserType)
  worker(@Root() attempt: OutreachAttemptType, @Ctx() ctx: Context): Promise<User | null> {
    return ctx.em.getReference(User, attempt.workerId, { wrapped: true }).load();
  }
}

/** The case's fields that are about outreach: the case module knows nothing of attempts. */
@Resolver(() => CaseType)
export class CaseOutreachAttemptsResolver {
  @Mutation(() => CaseType, {
    description:
      'OUTREACH → ENGAGED: needs an attempt with a contact outcome and a CONTACT_FOR_FOLLOW_UP ' +
      'consent in force for your agency',
  })
  async markCaseEngaged(
    @Ctx() ctx: Context,
    @Args(() => CaseChangeArgs) args: CaseChangeArgs,
  ): Promise<CaseType> {
    const kase = await engageCase(ctx.em, ctx.viewer, args);
    forgetCaseLists(ctx);
    return kase;
  }

  @FieldResolver(() => [OutreachAttemptType], { description: 'Oldest first' })
  outreachAttempts(@Root() kase: CaseType, @Ctx() ctx: Context): Promise<OutreachAttemptType[]> {
    return attemptLoader(ctx).load(kase.id);
  }

  // Served synchronously from the list row when it has the relation: a promise per row costs
  // graphql-js a promise for the whole row object as well.
  @FieldResolver(() => OutreachAttemptType, { description: 'The latest outreach attempt, if any' })
  lastAttempt(
    @Root() kase: CaseType,
    @Ctx() ctx: Context,
  ): Promise<OutreachAttemptType | null> | OutreachAttemptType | null {
    if (ctx.viewer.role !== Role.OUTREACH_WORKER) return null;
    if (kase.loaded?.lastAttempt !== undefined) {
      return kase.loaded.lastAttempt as OutreachAttemptType | null;
    }
    return attemptLoader(ctx)
      .load(kase.id)
      .then((attempts) => attempts.at(-1) ?? null);
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

@Resolver(() => CaseEventType)
export class CaseEventAttemptResolver {
  @FieldResolver(() => OutreachAttemptType, {
    description: 'The attempt, for OUTREACH_ATTEMPT entries',
  })
  attempt(@Root() entry: CaseEventType): OutreachAttemptType | null {
    return (entry.attempt as OutreachAttemptType | undefined) ?? null;
  }
}
