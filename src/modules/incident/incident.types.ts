import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import {
  AdministeredBy,
  EmsDisposition,
  NaloxoneResponse,
  NaloxoneRoute,
  OverdoseSource,
  PeerContactAnswer,
  SuspectedSubstance,
} from './incident-codes';

@ObjectType('NaloxoneAdministration', { description: 'One naloxone dose given at the scene' })
export class NaloxoneAdministrationType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => Date)
  administeredAt?: Date;

  @Field(() => Float)
  doseMg?: number;

  @Field(() => NaloxoneRoute)
  route!: NaloxoneRoute;

  @Field(() => AdministeredBy)
  administeredBy!: AdministeredBy;

  @Field(() => NaloxoneResponse)
  response?: NaloxoneResponse;
}

@ObjectType('ReportedIdentity', {
  description:
    'Name and date of birth exactly as the reporting agency entered them; only that agency reads them',
})
export class ReportedIdentityType {
  @Field(() => String)
  firstName?: string;

  @Field(() => String)
  lastName?: string;

  @Field(() => String, { description: 'YYYY-MM-DD' })
  dateOfBirth?: string;
}

@ObjectType('OverdoseIncident', { description: 'One overdose as a reporting agency saw it' })
export class IncidentType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => String, { description: "The reporter's own id (PCR or RMS number)" })
  externalId!: string;

  @Field(() => Date)
  occurredAt!: Date;

  @Field(() => String, { description: 'County FIPS code' })
  county!: string;

  @Field(() => String)
  street?: string;

  @Field(() => String)
  city?: string;

  @Field(() => String)
  state?: string;

  @Field(() => String)
  zip?: string;

  @Field(() => Float)
  latitude?: number;

  @Field(() => Float)
  longitude?: number;

  @Field(() => Boolean)
  fatal!: boolean;

  @Field(() => [SuspectedSubstance])
  suspectedSubstances!: SuspectedSubstance[];

  @Field(() => EmsDisposition)
  emsDisposition?: EmsDisposition;

  @Field(() => Boolean)
  officerWarmHandoff!: boolean;

  @Field(() => OverdoseSource, { description: 'A 911 response, or a community reversal' })
  source!: OverdoseSource;

  @Field(() => Int, { description: 'Naloxone kits left with the person or those around them' })
  naloxoneKitsLeftBehind?: number;

  @Field(() => PeerContactAnswer, {
    description: 'The answer at the scene to "may a peer contact you?" (null: not recorded)',
  })
  consentToPeerContact?: PeerContactAnswer;

  @Field(() => String, {
    description:
      'The case definition that admitted it when the hub classified the record (NEMSIS import), e.g. ALL_DRUG_OVERDOSE; null for a report the agency sent as an overdose',
  })
  caseDefinition?: string;

  @Field(() => Int, { description: 'Version of caseDefinition' })
  caseDefinitionVersion?: number;

  @Field(() => Boolean, {
    description: 'Sent as history (a backfill older than the intake limit): never routed',
  })
  historical!: boolean;

  @Field(() => Int, { description: 'Optimistic-locking version; send it back to amendIncident' })
  version!: number;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;
}

export enum ReportStatus {
  CREATED = 'CREATED',
  ALREADY_REPORTED = 'ALREADY_REPORTED',
  REJECTED = 'REJECTED',
}
registerEnumType(ReportStatus, {
  name: 'ReportStatus',
  description: 'ALREADY_REPORTED: this agency sent the same externalId before; nothing was changed',
});

@ObjectType('FieldError')
export class FieldErrorType {
  @Field(() => String, { nullable: false })
  field!: string;

  @Field(() => String, { nullable: false })
  message!: string;
}

@ObjectType('ReportIncidentResult')
export class ReportResultType {
  @Field(() => ReportStatus, { nullable: false })
  status!: ReportStatus;

  @Field(() => IncidentType)
  incident?: IncidentType;
}

@ObjectType('BatchReportItem', {
  description: 'The answer for one report of a batch, by its index',
})
export class BatchReportItemType {
  @Field(() => Int, { nullable: false })
  index!: number;

  @Field(() => String)
  externalId?: string;

  @Field(() => ReportStatus, { nullable: false })
  status!: ReportStatus;

  @Field(() => IncidentType, { description: 'Null when rejected' })
  incident?: IncidentType;

  @Field(() => [FieldErrorType], { nullable: false })
  errors!: FieldErrorType[];
}

@ObjectType('BatchReportResult')
export class BatchReportResultType {
  @Field(() => [BatchReportItemType], { nullable: false })
  items!: BatchReportItemType[];

  @Field(() => Int, { nullable: false })
  createdCount!: number;

  @Field(() => Int, { nullable: false })
  alreadyReportedCount!: number;

  @Field(() => Int, { nullable: false })
  rejectedCount!: number;
}
