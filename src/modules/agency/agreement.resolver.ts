import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import type { Agency } from './agency.entity';
import { AgencyType } from './agency.types';
import {
  AmendDataSharingAgreementInput,
  CreateDataSharingAgreementInput,
  DataSharingAgreementFilter,
} from './agreement.input';
import { isAgreementActive } from './agreement-query';
import {
  amendAgreement,
  createAgreement,
  endAgreement,
  getAgreement,
  listAgreements,
} from './agreement.service';
import { DataSharingAgreementType } from './agreement.types';
import type { DataSharingAgreement } from './data-sharing-agreement.entity';

// Inputs are validated by the service (`validate: false` here), which names every problem by
// its argument path together with the checks that need the database.
@Resolver(() => DataSharingAgreementType)
export class DataSharingAgreementResolver {
  @Query(() => [DataSharingAgreementType], {
    description: "All agreements for the hub admin; an agency admin's own agency's agreements",
  })
  dataSharingAgreements(
    @Ctx() { em, viewer }: Context,
    @Arg('filter', () => DataSharingAgreementFilter, { nullable: true, validate: false })
    filter: DataSharingAgreementFilter | undefined,
  ): Promise<DataSharingAgreement[]> {
    return listAgreements(em, viewer, filter);
  }

  @Query(() => DataSharingAgreementType)
  dataSharingAgreement(
    @Ctx() { em, viewer }: Context,
    @Arg('id', () => ID, { nullable: false }) id: string,
  ): Promise<DataSharingAgreement> {
    return getAgreement(em, viewer, id);
  }

  @Mutation(() => DataSharingAgreementType)
  createDataSharingAgreement(
    @Ctx() { em, viewer }: Context,
    @Arg('input', () => CreateDataSharingAgreementInput, { nullable: false, validate: false })
    input: CreateDataSharingAgreementInput,
  ): Promise<DataSharingAgreement> {
    return createAgreement(em, viewer, input);
  }

  @Mutation(() => DataSharingAgreementType, {
    description: 'Changes the terms; a stale version is a CONFLICT and changes nothing',
  })
  amendDataSharingAgreement(
    @Ctx() { em, viewer }: Context,
    @Arg('id', () => ID, { nullable: false }) id: string,
    @Arg('version', () => Int, { nullable: false }) version: number,
    @Arg('input', () => AmendDataSharingAgreementInput, { nullable: false, validate: false })
    input: AmendDataSharingAgreementInput,
  ): Promise<DataSharingAgreement> {
    return amendAgreement(em, viewer, id, version, input);
  }

  @Mutation(() => DataSharingAgreementType, {
    description: 'Ends the agreement now; identity stops flowing under it at once',
  })
  endDataSharingAgreement(
    @Ctx() { em, viewer }: Context,
    @Arg('id', () => ID, { nullable: false }) id: string,
    @Arg('version', () => Int, { nullable: false }) version: number,
    @Arg('reason', () => String, { nullable: false }) reason: string,
  ): Promise<DataSharingAgreement> {
    return endAgreement(em, viewer, id, version, reason);
  }

  @FieldResolver(() => AgencyType, { description: 'The reporting agency identity flows from' })
  sourceAgency(@Root() agreement: DataSharingAgreement): Promise<Agency> {
    return agreement.sourceAgency.load() as Promise<Agency>;
  }

  @FieldResolver(() => AgencyType, { description: 'The agency identity flows to' })
  recipientAgency(@Root() agreement: DataSharingAgreement): Promise<Agency> {
    return agreement.recipientAgency.load() as Promise<Agency>;
  }

  @FieldResolver(() => Boolean, {
    description: 'In force now: not ended, started, and not past effectiveTo',
  })
  active(@Root() agreement: DataSharingAgreement): boolean {
    return isAgreementActive(agreement, new Date());
  }
}
