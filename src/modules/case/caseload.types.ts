import { Field, Int, ObjectType } from 'type-graphql';
import { UserType } from '../agency/agency.types';

@ObjectType('WorkerCaseload', { description: 'Open and overdue cases one outreach worker holds' })
export class WorkerCaseloadType {
  @Field(() => UserType)
  worker!: UserType;

  @Field(() => Int)
  openCases!: number;

  @Field(() => Int, { description: 'Past due with no outreach attempt yet' })
  overdueCases!: number;
}

@ObjectType('AgencyCaseload', {
  description: "Who holds your agency's open cases (exact: your agency's own operational numbers)",
})
export class AgencyCaseloadType {
  @Field(() => [WorkerCaseloadType], {
    description: 'Every active outreach worker, and an inactive one still holding a case',
  })
  workers!: WorkerCaseloadType[];

  @Field(() => Int, { description: 'Open cases no worker holds (the agency queue)' })
  unassignedOpenCases!: number;

  @Field(() => Int)
  unassignedOverdueCases!: number;

  @Field(() => Int, {
    description:
      'Flag: attempts on your cases in the last 30 days with a uniformed officer present (practice: plain clothes, if at all)',
  })
  uniformedOfficerVisits!: number;
}
