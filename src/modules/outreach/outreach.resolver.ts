import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { openText } from '../../crypto/encrypted-number.type';
import { UserType } from '../agency/agency.types';
import { User } from '../agency/user.entity';
import { attemptLoader, forgetCaseLists } from '../case/case-loaders';
import { CaseType } from '../case/case.types';
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

@Resolver(() => CaseType)
export class CaseOutreachAttemptsResolver {
  @FieldResolver(() => [OutreachAttemptType], { description: 'Oldest first' })
  outreachAttempts(@Root() kase: CaseType, @Ctx() ctx: Context): Promise<OutreachAttemptType[]> {
    return attemptLoader(ctx).load(kase.id);
  }
}
