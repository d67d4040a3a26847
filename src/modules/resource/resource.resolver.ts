import {
  Arg,
  Args,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { PageArgs, type Page } from '../../common/pagination';
import type { Context } from '../../context';
import type { Agency } from '../agency/agency.entity';
import { AgencyType } from '../agency/agency.types';
import { isOpenNow } from './opening-hours';
import { CreateResourceInput, ResourceFilter, UpdateResourceInput } from './resource.input';
import {
  createResource,
  deactivateResource,
  getResource,
  listResources,
  reactivateResource,
  updateResource,
  verifyResource,
} from './resource.service';
import {
  OpeningHoursType,
  TreatmentResourceConnection,
  TreatmentResourceType,
} from './resource.types';
import type { TreatmentResource } from './treatment-resource.entity';

// Inputs are validated by the service (`validate: false` here), which names every problem by
// its argument path together with the checks that need the database.
@Resolver(() => TreatmentResourceType)
export class TreatmentResourceResolver {
  @Query(() => TreatmentResourceConnection, {
    description: 'The resource directory, oldest listing first; active listings unless asked',
  })
  resources(
    @Ctx() { em, viewer }: Context,
    @Arg('filter', () => ResourceFilter, { nullable: true, validate: false })
    filter: ResourceFilter | undefined,
    @Args(() => PageArgs) { first, after }: PageArgs,
  ): Promise<Page<TreatmentResource>> {
    return listResources(em, viewer, filter, first, after);
  }

  @Query(() => TreatmentResourceType, { description: 'One listing, active or not' })
  resource(
    @Ctx() { em, viewer }: Context,
    @Arg('id', () => ID, { nullable: false }) id: string,
  ): Promise<TreatmentResource> {
    return getResource(em, viewer, id);
  }

  @Mutation(() => TreatmentResourceType, {
    description: "Hub admin: any owner or none; agency admin: always for the admin's own agency",
  })
  createResource(
    @Ctx() { em, viewer }: Context,
    @Arg('input', () => CreateResourceInput, { nullable: false, validate: false })
    input: CreateResourceInput,
  ): Promise<TreatmentResource> {
    return createResource(em, viewer, input);
  }

  @Mutation(() => TreatmentResourceType, {
    description: 'Changes the fields given; a stale version is a CONFLICT and changes nothing',
  })
  updateResource(
    @Ctx() { em, viewer }: Context,
    @Arg('id', () => ID, { nullable: false }) id: string,
    @Arg('version', () => Int, { nullable: false }) version: number,
    @Arg('input', () => UpdateResourceInput, { nullable: false, validate: false })
    input: UpdateResourceInput,
  ): Promise<TreatmentResource> {
    return updateResource(em, viewer, id, version, input);
  }

  @Mutation(() => TreatmentResourceType, {
    description: 'Records that the listing was confirmed with the provider just now',
  })
  verifyResource(
    @Ctx() { em, viewer }: Context,
    @Arg('id', () => ID, { nullable: false }) id: string,
  ): Promise<TreatmentResource> {
    return verifyResource(em, viewer, id);
  }

  @Mutation(() => TreatmentResourceType, {
    description: 'Withdraws the listing from searches; it stays readable by id',
  })
  deactivateResource(
    @Ctx() { em, viewer }: Context,
    @Arg('id', () => ID, { nullable: false }) id: string,
  ): Promise<TreatmentResource> {
    return deactivateResource(em, viewer, id);
  }

  @Mutation(() => TreatmentResourceType, { description: 'Lists a withdrawn resource again' })
  reactivateResource(
    @Ctx() { em, viewer }: Context,
    @Arg('id', () => ID, { nullable: false }) id: string,
  ): Promise<TreatmentResource> {
    return reactivateResource(em, viewer, id);
  }

  @FieldResolver(() => AgencyType, { description: 'The agency that keeps this listing current' })
  async agency(@Root() resource: TreatmentResource): Promise<Agency | null> {
    return resource.agency ? ((await resource.agency.load()) ?? null) : null;
  }

  @FieldResolver(() => [OpeningHoursType], { nullable: true })
  hours(@Root() resource: TreatmentResource): OpeningHoursType[] {
    return resource.hours.map(({ day, opens, closes }) => ({ day, opens, closes }));
  }

  @FieldResolver(() => Boolean, {
    description: 'Open at this moment, by its hours on its own time zone\u2019s clock',
  })
  openNow(@Root() resource: TreatmentResource): boolean {
    return isOpenNow(resource);
  }
}
