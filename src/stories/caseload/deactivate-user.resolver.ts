import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { REQUIRED } from '../../modules/agency/agency.input';
import { UserType } from '../../modules/agency/agency.types';
import type { User } from '../../modules/agency/user.entity';
import { deactivateUser } from './deactivate-user.story';

@Resolver()
export class DeactivateUserResolver {
  @Mutation(() => UserType, {
    description:
      "Stops the user at once; an outreach worker's open cases go back to the agency's queue, unassigned",
  })
  deactivateUser(
    @Ctx() { em, viewer }: Context,
    @Arg('id', () => ID, REQUIRED) id: string,
  ): Promise<User> {
    return deactivateUser(em, viewer, id);
  }
}
