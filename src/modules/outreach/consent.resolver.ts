import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { Role } from '../../common/role';
import { Agency } from '../agency/agency.entity';
import { AgencyType } from '../agency/agency.types';
import { CaseType } from '../case/case.types';
import { RecordConsentInput } from './consent.input';
import { batchLoader } from '../../common/batch-loader';
import { forgetCaseLists } from '../case/case-loaders';
import { loadCaseConsents, loadLeadReleases } from './consent-read';
import { recordConsent, revokeConsent } from './consent.service';
import { ConsentType } from './consent.types';

/** One query for the consents of every case on the page. */
const caseConsentLoader = (ctx: Context) =>
  batchLoader<ConsentType[]>(ctx, 'case.consents', (ids) => loadCaseConsents(ctx.em, ids), []);

/** One query for the LEAD releases of every referral on the page (the caller's program). */
export const leadReleaseLoader = (ctx: Context) =>
  batchLoader<ConsentType[]>(
    ctx,
    'leadReferral.releases',
    (ids) => loadLeadReleases(ctx.em, ids, ctx.viewer.agencyId),
    [],
  );

/** After a consent changes, nothing read earlier in the same request may be answered again. */
export function forgetConsents(ctx: Context): void {
  caseConsentLoader(ctx).clearAll();
  leadReleaseLoader(ctx).clearAll();
}

@Resolver(() => ConsentType)
export class ConsentResolver {
  @Mutation(() => ConsentType, {
    description:
      'Record what the person agreed to, on a case your agency has accepted. The case version ' +
      'is checked (a stale one is a CONFLICT) but not changed: nothing is overwritten.',
  })
  async recordConsent(
    @Ctx() ctx: Context,
    @Arg('caseId', () => ID, { nullable: false }) caseId: string,
    @Arg('version', () => Int, { nullable: false }) version: number,
    // Validated by the service, which also checks the dates against the clock and the grantee.
    @Arg('input', () => RecordConsentInput, { nullable: false, validate: false })
    input: RecordConsentInput,
  ): Promise<ConsentType> {
    const consent = await recordConsent(ctx.em, ctx.viewer, ctx.config, { caseId, version, input });
    forgetConsents(ctx);
    return consent;
  }

  @Mutation(() => ConsentType, {
    description:
      'Revoke a consent you hold. Everything that rested on it stops at once; revoking ' +
      'CONTACT_FOR_FOLLOW_UP closes the case CONSENT_REVOKED.',
  })
  async revokeConsent(
    @Ctx() ctx: Context,
    @Arg('consentId', () => ID, { nullable: false }) consentId: string,
    @Arg('reason', () => String, {
      nullable: false,
      description: 'Why, 1 to 500 characters; never personal details',
    })
    reason: string,
  ): Promise<ConsentType> {
    const consent = await revokeConsent(ctx.em, ctx.viewer, consentId, reason);
    // Revoking may close the case: its timeline changed too.
    forgetConsents(ctx);
    forgetCaseLists(ctx);
    return consent;
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
  consents(@Root() kase: CaseType, @Ctx() ctx: Context): Promise<ConsentType[] | null> {
    // The permission layer already limits this to outreach workers; the vault stays shut anyway.
    if (ctx.viewer.role !== Role.OUTREACH_WORKER) return Promise.resolve(null);
    return caseConsentLoader(ctx).load(kase.id);
  }
}
