import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import type { Agency } from './agency.entity';
import { CreateUserInput, REQUIRED, UpdateUserInput } from './agency.input';
import { AgencyType, UserType } from './agency.types';
import type { User } from './user.entity';
import { createUser, listUsers, setUserActive, updateUser } from './user.service';

@Resolver(() => UserType)
export class UserResolver {
  @Query(() => [UserType], { description: "Users of the caller's agency" })
  agencyUsers(
    @Ctx() { em, viewer }: Context,
    @Arg('agencyId', () => ID, { nullable: true, description: 'HUB_ADMIN only' })
    agencyId: string | undefined,
    @Arg('includeInactive', () => Boolean, { defaultValue: false }) includeInactive: boolean,
  ): Promise<User[]> {
    return listUsers(em, viewer, agencyId, includeInactive);
  }

  @Mutation(() => UserType)
  createUser(
    @Ctx() { em, viewer }: Context,
    @Arg('input', () => CreateUserInput, REQUIRED) input: CreateUserInput,
  ): Promise<User> {
    return createUser(em, viewer, input);
  }

  @Mutation(() => UserType)
  updateUser(
    @Ctx() { em, viewer }: Context,
    @Arg('id', () => ID, REQUIRED) id: string,
    @Arg('input', () => UpdateUserInput, REQUIRED) input: UpdateUserInput,
  ): Promise<User> {
    return updateUser(em, viewer, id, input);
  }

  // deactivateUser: src/stories/caseload (a leaving worker's open cases go back to the queue).

  @Mutation(() => UserType)
  reactivateUser(
    @Ctx() { em, viewer }: Context,
    @Arg('id', () => ID, REQUIRED) id: string,
  ): Promise<User> {
    return setUserActive(em, viewer, id, true);
  }

  @FieldResolver(() => AgencyType)
  agency(@Root() user: User): Promise<Agency> {
    return user.agency.load() as Promise<Agency>;
  }
}
