import { Field, ID, Int, ObjectType } from 'type-graphql';
import { NaloxoneAdministrationType } from './incident.types';

@ObjectType('OverdoseEvent', {
  description:
    'One overdose, however many agencies reported it (police and EMS at one scene): one case, ' +
    'counted once. Each reporter still reads only its own report.',
})
export class OverdoseEventType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => Date, { description: 'When the overdose happened (its first report)' })
  occurredAt!: Date;

  @Field(() => String, { description: 'County FIPS code' })
  county!: string;

  @Field(() => Int, { description: 'Reports of this overdose (co-reports and merged ones)' })
  sourceReportCount!: number;

  @Field(() => [NaloxoneAdministrationType], {
    description: 'Naloxone given, as every source reported it',
  })
  naloxoneAdministrations!: NaloxoneAdministrationType[];

  @Field(() => ID, { description: 'Set while an administrator has merged it into that event' })
  mergedIntoId?: string;

  @Field(() => Int, { description: 'Send it back with a merge; a stale one is a CONFLICT' })
  version!: number;
}
