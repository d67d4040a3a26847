import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';

@InputType('StatsCalendarInput', {
  description: 'An agency’s calendar for statistics; a null field means the hub’s default',
})
export class StatsCalendarInput {
  @Field(() => ID, { nullable: true, description: 'HUB_ADMIN only; agency admins set their own' })
  agencyId?: string | null;

  @Field(() => String, { nullable: true, description: 'IANA time zone, e.g. America/New_York' })
  timeZone?: string | null;

  @Field(() => Int, { nullable: true, description: 'Month the fiscal year starts (NC: 7, July)' })
  fiscalYearStartMonth?: number | null;
}

@ObjectType('StatsCalendar', { description: 'The calendar statistics are grouped in' })
export class StatsCalendarType {
  @Field(() => ID)
  agencyId?: string | null;

  @Field(() => String, { nullable: false })
  timeZone!: string;

  @Field(() => Int, { nullable: false })
  fiscalYearStartMonth!: number;
}
