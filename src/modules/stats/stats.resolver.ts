import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { referralFeedback } from './referral-feedback.service';
import { ReferralFeedbackType } from './stats.types';

@Resolver()
export class StatsResolver {
  @Query(() => ReferralFeedbackType, {
    description:
      'Reporting agencies: your own non-fatal reports by month (exact, internal) and how many were reached and engaged (shared: suppressed and perturbed)',
  })
  myReferralFeedback(
    @Ctx() { em, viewer, config, requestId }: Context,
    @Arg('year', () => Int, { nullable: false }) year: number,
  ): Promise<ReferralFeedbackType> {
    return referralFeedback(em, viewer, year, config.disclosure, config.statsCalendar, requestId);
  }
}
