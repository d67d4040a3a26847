import { FieldResolver, Resolver, Root } from 'type-graphql';
import { CaseType } from '../case/case.types';
import { ServiceReferralType } from '../case/service-referral.types';
import { OutcomeObjectType } from '../outcome/outcome.types';
import { ConsentType } from '../outreach/consent.types';
import { OutreachAttemptType } from '../outreach/outreach.types';
import { isPart2Labelled } from './part2-notice';

const DESCRIPTION =
  'A 42 CFR Part 2 record: created by a Part 2 program (labelled when it was created). It goes ' +
  'to another agency only under a PART2_DISCLOSURE consent naming that agency, and every answer ' +
  'carrying it has the redisclosure notice in extensions.part2Notice';

type Labelled = { part2ProgramId?: string };

/** One `part2Protected` flag per labelled type; the label itself (the program's id) stays inside. */
@Resolver(() => CaseType)
export class CasePart2LabelResolver {
  @FieldResolver(() => Boolean, { description: DESCRIPTION })
  part2Protected(@Root() record: Labelled): boolean {
    return isPart2Labelled(record);
  }
}

@Resolver(() => OutreachAttemptType)
export class OutreachAttemptPart2LabelResolver {
  @FieldResolver(() => Boolean, { description: DESCRIPTION })
  part2Protected(@Root() record: Labelled): boolean {
    return isPart2Labelled(record);
  }
}

@Resolver(() => OutcomeObjectType)
export class OutcomePart2LabelResolver {
  @FieldResolver(() => Boolean, { description: DESCRIPTION })
  part2Protected(@Root() record: Labelled): boolean {
    return isPart2Labelled(record);
  }
}

@Resolver(() => ServiceReferralType)
export class ServiceReferralPart2LabelResolver {
  @FieldResolver(() => Boolean, { description: DESCRIPTION })
  part2Protected(@Root() record: Labelled): boolean {
    return isPart2Labelled(record);
  }
}

@Resolver(() => ConsentType)
export class ConsentPart2LabelResolver {
  @FieldResolver(() => Boolean, { description: DESCRIPTION })
  part2Protected(@Root() record: Labelled): boolean {
    return isPart2Labelled(record);
  }
}

export const PART2_LABEL_RESOLVERS = [
  CasePart2LabelResolver,
  OutreachAttemptPart2LabelResolver,
  OutcomePart2LabelResolver,
  ServiceReferralPart2LabelResolver,
  ConsentPart2LabelResolver,
] as const;
