import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { Role } from '../../common/role';
import { Agency } from '../agency/agency.entity';
import { AgencyType } from '../agency/agency.types';
import { CaseType } from '../case/case.types';
import { RecordConsentInput } from './consent.input';
import { caseConsents, recordConsent, revokeConsent } from './consent.service';
import { ConsentType } from './consent.types';

@Resolver(() => ConsentType)
export class ConsentResolver {
  @Mutation(() => ConsentType, {
    description:
      'Record what the person agreed to, on a case your agency has accepted. The case version ' +
      'is checked (a stale one is a CONFLICT) but not changed: nothing is overwritten.',
  })
  recordConsent(
    @Ctx() { em, viewer, config }: Context,
    @Arg('caseId', () => ID, { nullable: false }) caseId: string,
    @Arg('version', () => Int, { nullable: false }) version: number,
    // Validated by the service, which also checks the dates against the clock and the grantee.
    @Arg('input', () => RecordConsentInput, { nullable: false, validate: false })
    input: RecordConsentInput,
  ): Promise<ConsentType> {
    return recordConsent(em, viewer, config, { caseId, version, input });
  }

  @Mutation(() => ConsentType, {
    description:
      'Revoke a consent you hold. Everything that rested on it stops at once; revoking ' +
      'CONTACT_FOR_FOLLOW_UP closes the case CONSENT_REVOKED.',
  })
  revokeConsent(
    @Ctx() { em, viewer }: Context,
    @Arg('consentId', () => ID, { nullable: false }) consentId: string,
    @Arg('reason', () => String, {
      nullable: false,
      description: 'Why, 1 to 500 characters; never personal details',
    })
    reason: string,
  ): Promise<ConsentType> {
    return revokeConsent(em, viewer, consentId, reason);
  }

  @FieldResolver(() => AgencyType)
  grantedTo(@Root() consent: ConsentType, @Ctx() ctx: Context): Promise<Agency | null> {
    return ctx.em.getReference(Agency, consent.grantedToId, { wrapped: true }).load();
  }
}

/** Consent fields of a case (the case module knows nothing of consents). */
@Resolver(() => CaseType)
export class CaseConsentResolver {
  @FieldResolver(() => [ConsentType], {
    description: 'The consents your agency recorded on the case, oldest first',
  })
  consents(@Root() kase: CaseType, @Ctx() { em, viewer }: Context): Promise<ConsentType[] | null> {
    // The permission layer already limits this to outreach workers; the vault stays shut anyway.
    if (viewer.role !== Role.OUTREACH_WORKER) return Promise.resolve(null);
    return caseConsents(em, kase.id, kase.routedAgencyId);
  }
}
