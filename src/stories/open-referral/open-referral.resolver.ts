import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { forgetCaseLists } from '../../modules/case/case-loaders';
import { CaseType } from '../../modules/case/case.types';
import { OpenReferralInput } from './open-referral.input';
import { openReferral } from './open-referral.story';

@Resolver(() => CaseType)
export class OpenReferralResolver {
  @Mutation(() => CaseType, {
    description:
      'Open a case from a referral without an overdose report (ED, 2-1-1, self, family, ' +
      'community, another agency). The case is referred to your agency; what the referral says ' +
      'of the person is kept as your agency’s record. Counted apart from overdoses',
  })
  async openReferral(
    @Ctx() ctx: Context,
    // Validated by the story, which also checks what needs the clock.
    @Arg('input', () => OpenReferralInput, { nullable: false, validate: false })
    input: OpenReferralInput,
  ): Promise<CaseType> {
    const kase = await openReferral(ctx.em, ctx.viewer, ctx.config, input);
    forgetCaseLists(ctx);
    return kase;
  }
}
