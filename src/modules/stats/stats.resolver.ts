import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { referralFeedback } from './referral-feedback.service';
import { effectiveCalendar, setStatsCalendar } from './stats-calendar.service';
import { StatsCalendarInput, StatsCalendarType } from './stats-calendar.types';
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

  @Query(() => StatsCalendarType, {
    description: 'The calendar your agency’s statistics are grouped in',
  })
  statsCalendar(@Ctx() { em, viewer, config }: Context): Promise<StatsCalendarType> {
    return effectiveCalendar(em, viewer, config.statsCalendar);
  }

  @Mutation(() => StatsCalendarType, {
    description: 'Sets an agency’s statistics time zone and fiscal year start',
  })
  setStatsCalendar(
    @Ctx() { em, viewer, config }: Context,
    @Arg('input', () => StatsCalendarInput, { nullable: false }) input: StatsCalendarInput,
  ): Promise<StatsCalendarType> {
    return setStatsCalendar(em, viewer, input, config.statsCalendar);
  }
}
