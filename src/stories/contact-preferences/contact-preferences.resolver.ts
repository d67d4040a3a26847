import { Arg, Ctx, ID, Int, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { CaseType } from '../../modules/case/case.types';
import {
  ContactPreferencesInput,
  PersonContactInput,
} from '../../modules/person/contact-preferences.input';
import { updateContactPreferences, updatePersonContact } from './contact-preferences.service';

// Inputs are validated by the service, which names every problem by its argument path.
@Resolver()
export class ContactPreferencesResolver {
  @Mutation(() => CaseType, {
    description:
      "Record how the case's person wants to be reached; the case version goes up (a stale one " +
      'is a CONFLICT)',
  })
  updateContactPreferences(
    @Ctx() { em, viewer }: Context,
    @Arg('caseId', () => ID, { nullable: false }) caseId: string,
    @Arg('version', () => Int, { nullable: false }) version: number,
    @Arg('input', () => ContactPreferencesInput, { nullable: false, validate: false })
    input: ContactPreferencesInput,
  ): Promise<CaseType> {
    return updateContactPreferences(em, viewer, { caseId, version, input });
  }

  @Mutation(() => CaseType, {
    description:
      "Correct the case's person's phone or home address; the case version goes up (a stale " +
      'one is a CONFLICT)',
  })
  updatePersonContact(
    @Ctx() { em, viewer }: Context,
    @Arg('caseId', () => ID, { nullable: false }) caseId: string,
    @Arg('version', () => Int, { nullable: false }) version: number,
    @Arg('input', () => PersonContactInput, { nullable: false, validate: false })
    input: PersonContactInput,
  ): Promise<CaseType> {
    return updatePersonContact(em, viewer, { caseId, version, input });
  }
}
