import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import type { Page } from '../../common/pagination';
import { listAuditEvents, listDisclosures } from './audit-query';
import { AuditEventsArgs, DisclosuresArgs } from './audit.input';
import { AuditEventConnection, type AuditEventType } from './audit.types';

@Resolver()
export class AuditResolver {
  @Query(() => AuditEventConnection, {
    description:
      'The audit trail, newest first: all of it for the hub operator, your agency’s actors for an agency admin',
  })
  auditEvents(
    @Ctx() { em, viewer }: Context,
    @Args(() => AuditEventsArgs) args: AuditEventsArgs,
  ): Promise<Page<AuditEventType>> {
    return listAuditEvents(em, viewer, args);
  }

  @Query(() => AuditEventConnection, {
    description:
      "Who was shown this person's identity, when and for what purpose (hub operator, audit review)",
  })
  disclosuresForPerson(
    @Ctx() { em, viewer }: Context,
    @Args(() => DisclosuresArgs) args: DisclosuresArgs,
  ): Promise<Page<AuditEventType>> {
    return listDisclosures(em, viewer, args);
  }
}
