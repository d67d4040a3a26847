import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { referralFeedback } from './referral-feedback.service';
import { ReferralFeedbackType } from './stats.types';

@Resolver()
export class StatsResolver {
  @Query(() => ReferralFeedbackType, {
    description:
      'Reporting agencies: how many of your reports were reached and engaged, by month (suppressed counts)',
  })
  myReferralFeedback(
    @Ctx() { em, viewer }: Context,
    @Arg('year', () => Int, { nullable: false }) year: number,
  ): Promise<ReferralFeedbackType> {
    return referralFeedback(em, viewer, year);
  }
}
