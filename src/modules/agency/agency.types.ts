import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Role } from '../../common/role';
import { AgencyKind } from './agency-kind';
import { CaseDefinitionName } from '../incident/case-definition';

@ObjectType('Agency', { description: 'An organisation taking part in the hub' })
export class AgencyType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => AgencyKind)
  kind!: AgencyKind;

  @Field(() => [String], { description: 'Five-digit county FIPS codes the agency serves' })
  serviceCounties!: string[];

  @Field(() => Boolean, { description: 'A 42 CFR Part 2 treatment program' })
  part2Program!: boolean;

  @Field(() => Boolean)
  active!: boolean;

  @Field(() => Boolean, {
    description:
      'Runs post-overdose follow-up: may hold OUTREACH_WORKER users and receives routed cases',
  })
  runsFollowUp!: boolean;

  @Field(() => Boolean, {
    description: 'Visit policy: outreach attempts with a uniformed officer present are refused',
  })
  refuseUniformedOfficers!: boolean;

  @Field(() => CaseDefinitionName, {
    description: 'Which encounters the NEMSIS import takes as overdoses for this agency',
  })
  caseDefinition!: CaseDefinitionName;

  @Field(() => Boolean, {
    description:
      'Supports families after a death: gets a family-support case for a fatal overdose in its area',
  })
  offersFamilySupport!: boolean;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;
}

@ObjectType('User', { description: 'A staff member of an agency who signs in' })
export class UserType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => String)
  email!: string;

  @Field(() => Role)
  role!: Role;

  @Field(() => Boolean)
  active!: boolean;

  @Field(() => String, { description: "Subject of this user in the agency's identity provider" })
  externalSubject?: string;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType('ApiKey', {
  description: 'Credentials of a machine client; the secret is never shown again',
})
export class ApiKeyType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => String)
  label!: string;

  @Field(() => Role)
  role!: Role;

  @Field(() => String, { description: 'Public first part of the key, to recognise it' })
  prefix!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  lastUsedAt?: Date;

  @Field(() => Date)
  revokedAt?: Date;
}

@ObjectType('CreatedApiKey')
export class CreatedApiKeyType {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;

  @Field(() => String, { description: 'The whole key. Shown once: store it now.' })
  key!: string;
}

export enum CallerKind {
  USER = 'USER',
  API_KEY = 'API_KEY',
}
registerEnumType(CallerKind, { name: 'CallerKind' });

@ObjectType('Me', { description: 'The caller, as the hub knows it' })
export class MeType {
  @Field(() => CallerKind)
  kind!: CallerKind;

  @Field(() => Role)
  role!: Role;

  /** Set by the resolver from the viewer; resolved through field resolvers. */
  agencyId!: string;
  userId?: string;
  apiKeyId?: string;
}
