import { Field, ID, Int, ObjectType } from 'type-graphql';
import { AgreementPurpose, LawfulBasis } from './agreement-codes';

/**
 * The GraphQL face of `DataSharingAgreement`. `sourceAgency`, `recipientAgency` and `active` are
 * field resolvers in `agreement.resolver.ts`.
 */
@ObjectType('DataSharingAgreement', {
  description:
    'Permission for survivor identity to flow from a reporting agency to a recipient agency, ' +
    'for one purpose, in some counties, for a period',
})
export class DataSharingAgreementType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => AgreementPurpose)
  purpose!: AgreementPurpose;

  @Field(() => LawfulBasis)
  lawfulBasis!: LawfulBasis;

  @Field(() => [String], { description: 'Five-digit county FIPS codes the agreement covers' })
  counties!: string[];

  @Field(() => Date)
  effectiveFrom!: Date;

  @Field(() => Date, { description: 'Exclusive end; null while open-ended' })
  effectiveTo?: Date;

  @Field(() => Date, { description: 'When a hub administrator ended the agreement early' })
  endedAt?: Date;

  @Field(() => String)
  endedReason?: string;

  @Field(() => Int, { description: 'Pass back to amend or end the agreement (optimistic locking)' })
  version!: number;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;
}
