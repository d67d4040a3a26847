import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { SpikeAlertsFilter } from './spike.input';
import { listSpikeAlerts } from './spike.service';
import { SpikeAlertType } from './spike.types';

@Resolver()
export class SpikeAlertResolver {
  @Query(() => [SpikeAlertType], {
    description: 'Spike alerts of the counties your agency serves, newest first (at most 200)',
  })
  spikeAlerts(
    @Ctx() { em, viewer }: Context,
    @Arg('filter', () => SpikeAlertsFilter, { nullable: true }) filter?: SpikeAlertsFilter,
  ): Promise<SpikeAlertType[]> {
    return listSpikeAlerts(em, viewer, filter);
  }
}
