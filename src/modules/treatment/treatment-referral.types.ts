import { Field, ObjectType } from 'type-graphql';
import { ContactMethod } from '../outreach/outreach-codes';

/**
 * The person behind an onward referral, as the receiving treatment agency sees them: name and
 * how to reach them, nothing of the overdose. Only while the person's SHARE_WITH_TREATMENT_PROVIDER
 * consent naming that agency is in force (treatment.permissions.ts).
 */
@ObjectType('ReferredPerson', {
  description:
    'Who was referred and how to reach them; only while a SHARE_WITH_TREATMENT_PROVIDER ' +
    'consent naming your agency is in force',
})
export class ReferredPersonType {
  @Field(() => String)
  firstName?: string;

  @Field(() => String)
  lastName?: string;

  @Field(() => String, { description: 'YYYY-MM-DD' })
  dateOfBirth?: string;

  @Field(() => String)
  phone?: string;

  @Field(() => ContactMethod)
  preferredContactMethod?: ContactMethod;

  @Field(() => String, { description: 'When contact is safe, in the person’s words' })
  safeContactTimes?: string;
}
