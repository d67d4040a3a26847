import { Field, ID, Int, ObjectType } from 'type-graphql';
import { connectionType } from '../../common/pagination';
import { MoudType, PaymentAccepted, ResourceService } from './resource-codes';

@ObjectType('OpeningHours', {
  description:
    'One opening period in the resource\u2019s time zone; closes before opens runs past midnight',
})
export class OpeningHoursType {
  @Field(() => Int, { description: '0 = Sunday … 6 = Saturday' })
  day!: number;

  @Field(() => String, { description: 'HH:MM, 24-hour clock' })
  opens!: string;

  @Field(() => String, { description: 'HH:MM, exclusive; 00:00 means midnight' })
  closes!: string;
}

/**
 * The GraphQL face of `TreatmentResource` (Open Referral HSDS shape, FindTreatment.gov codes).
 * `agency`, `hours` and `openNow` are field resolvers in `resource.resolver.ts`.
 */
@ObjectType('TreatmentResource', {
  description: 'A place a person can be referred to: treatment, MOUD, syringe services, support',
})
export class TreatmentResourceType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  description?: string;

  @Field(() => [ResourceService], { nullable: true })
  services!: ResourceService[];

  @Field(() => [MoudType], {
    nullable: true,
    description: 'Medications for opioid use disorder offered (with MOUD among the services)',
  })
  moud!: MoudType[];

  @Field(() => [PaymentAccepted], { nullable: true })
  paymentAccepted!: PaymentAccepted[];

  @Field(() => String, { description: 'What a visit typically costs, in words' })
  typicalCost?: string;

  @Field(() => String, { description: 'IANA time zone of the opening hours' })
  timeZone!: string;

  @Field(() => String)
  street?: string;

  @Field(() => String)
  city?: string;

  @Field(() => String, { description: 'Two-letter state code' })
  state?: string;

  @Field(() => String)
  zip?: string;

  @Field(() => String, { description: 'Five-digit county FIPS code' })
  county!: string;

  @Field(() => String)
  phone?: string;

  @Field(() => Boolean)
  acceptingNewClients!: boolean;

  @Field(() => [String], { nullable: true, description: 'BCP 47 language codes, e.g. en, es-MX' })
  languages!: string[];

  @Field(() => Date, { description: 'When the listing was last confirmed with the provider' })
  lastVerifiedAt?: Date;

  @Field(() => Boolean, { description: 'False once the listing is withdrawn' })
  active!: boolean;

  @Field(() => Int, { description: 'Pass back to updateResource (optimistic locking)' })
  version!: number;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;
}

export const TreatmentResourceConnection = connectionType(
  'TreatmentResource',
  TreatmentResourceType,
);
