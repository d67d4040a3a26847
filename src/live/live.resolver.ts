import { Ctx, Resolver, Root, Subscription, type SubscriptionHandlerData } from 'type-graphql';
import type { Context } from '../context';
import type { Role } from '../common/role';
import type { DomainEvents } from '../events/domain-events';
import { forbidden } from '../errors/hub-errors';
import { getCase } from '../modules/case/case.service';
import { CaseType } from '../modules/case/case.types';
import { SPIKE_READERS } from '../modules/spike/spike.permissions';
import { getSpikeAlert } from '../modules/spike/spike.service';
import { SpikeAlertType } from '../modules/spike/spike.types';
import { CASE_SUBSCRIBERS } from './live.permissions';

/** Refuses a role that could never receive the topic at subscribe time, not silently later. */
const topicFor =
  (topic: keyof DomainEvents, roles: readonly Role[]) =>
  ({ context }: { context: Context }): string => {
    if (!roles.includes(context.viewer.role)) throw forbidden();
    return topic;
  };

/**
 * Every event is re-checked against the database for this subscriber (row scope as in the
 * `case` query): a case routed to another agency is never delivered. The event itself carries
 * ids only; what the subscriber sees is resolved through the same types and field rules.
 */
async function caseInScope({
  payload,
  context,
}: SubscriptionHandlerData<{ caseId: string }, unknown, Context>): Promise<boolean> {
  return getCase(context.em.fork(), context.viewer, payload.caseId).then(
    () => true,
    () => false,
  );
}

async function alertInScope({
  payload,
  context,
}: SubscriptionHandlerData<{ alertId: string }, unknown, Context>): Promise<boolean> {
  return getSpikeAlert(
    context.em.fork(),
    context.viewer,
    payload.alertId,
    context.config.disclosure.smallCellMax,
  ).then(
    () => true,
    () => false,
  );
}

/** A fresh EntityManager per event, so nothing read for an earlier event is served stale. */
function freshEm(ctx: Context): Context['em'] {
  ctx.em = ctx.em.fork();
  return ctx.em;
}

@Resolver()
export class LiveResolver {
  @Subscription(() => CaseType, {
    topics: topicFor('caseRouted', CASE_SUBSCRIBERS),
    filter: caseInScope,
    description: 'A case routed to your agency (outreach workers and the agency admin)',
  })
  caseRouted(@Root() event: DomainEvents['caseRouted'], @Ctx() ctx: Context): Promise<CaseType> {
    return getCase(freshEm(ctx), ctx.viewer, event.caseId);
  }

  @Subscription(() => CaseType, {
    topics: topicFor('followUpDue', CASE_SUBSCRIBERS),
    filter: caseInScope,
    description:
      "A case of your agency whose follow-up window opened or that became overdue (see its 'overdue' field)",
  })
  followUpDue(@Root() event: DomainEvents['followUpDue'], @Ctx() ctx: Context): Promise<CaseType> {
    return getCase(freshEm(ctx), ctx.viewer, event.caseId);
  }

  @Subscription(() => SpikeAlertType, {
    topics: topicFor('spikeAlert', SPIKE_READERS),
    filter: alertInScope,
    description: 'A spike alert raised or ended in a county your agency serves',
  })
  spikeAlert(
    @Root() event: DomainEvents['spikeAlert'],
    @Ctx() ctx: Context,
  ): Promise<SpikeAlertType> {
    return getSpikeAlert(
      freshEm(ctx),
      ctx.viewer,
      event.alertId,
      ctx.config.disclosure.smallCellMax,
    );
  }
}
