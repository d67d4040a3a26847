import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import {
  addAlertContact,
  getSpikeSettings,
  listAlertContacts,
  listAlertDeliveries,
  removeAlertContact,
  setSpikeSettings,
  webPushPublicKey,
} from './alert-settings.service';
import { AddAlertContactInput, SpikeAlertsFilter, SpikeSettingsInput } from './spike.input';
import { listSpikeAlerts } from './spike.service';
import {
  AlertContactType,
  AlertDeliveryType,
  CreatedAlertContactType,
  SpikeAlertType,
  SpikeSettingsType,
} from './spike.types';

const REQUIRED = { nullable: false } as const;

@Resolver()
export class SpikeAlertResolver {
  @Query(() => [SpikeAlertType], {
    description: 'Spike alerts of the counties your agency serves, newest first (at most 200)',
  })
  spikeAlerts(
    @Ctx() { em, viewer, config }: Context,
    @Arg('filter', () => SpikeAlertsFilter, { nullable: true }) filter?: SpikeAlertsFilter,
  ): Promise<SpikeAlertType[]> {
    return listSpikeAlerts(em, viewer, filter, config.disclosure.smallCellMax);
  }

  @Query(() => SpikeSettingsType, {
    description: "Your agency's spike thresholds (or the defaults)",
  })
  spikeSettings(@Ctx() { em, viewer, config }: Context): Promise<SpikeSettingsType> {
    return getSpikeSettings(em, viewer, config);
  }

  @Mutation(() => SpikeSettingsType, {
    description: "Sets your agency's spike thresholds, for the counties it serves",
  })
  setSpikeSettings(
    @Ctx() { em, viewer }: Context,
    @Arg('input', () => SpikeSettingsInput, REQUIRED) input: SpikeSettingsInput,
  ): Promise<SpikeSettingsType> {
    return setSpikeSettings(em, viewer, input);
  }

  @Query(() => [AlertContactType], { description: "Where your agency's spike alerts are sent" })
  alertContacts(@Ctx() { em, viewer }: Context): Promise<AlertContactType[]> {
    return listAlertContacts(em, viewer);
  }

  @Mutation(() => CreatedAlertContactType)
  addAlertContact(
    @Ctx() { em, viewer, config }: Context,
    @Arg('input', () => AddAlertContactInput, REQUIRED) input: AddAlertContactInput,
  ): Promise<CreatedAlertContactType> {
    return addAlertContact(em, viewer, config, input);
  }

  @Mutation(() => AlertContactType, {
    description: 'Stops alerts to a contact; unsent ones are cancelled',
  })
  removeAlertContact(
    @Ctx() { em, viewer }: Context,
    @Arg('id', () => ID, REQUIRED) id: string,
  ): Promise<AlertContactType> {
    return removeAlertContact(em, viewer, id);
  }

  @Query(() => [AlertDeliveryType], {
    description:
      "Your agency's alert deliveries, newest first (at most 200): failures stay visible",
  })
  alertDeliveries(
    @Ctx() { em, viewer, config }: Context,
    @Arg('status', () => String, { nullable: true }) status?: string,
  ): Promise<AlertDeliveryType[]> {
    return listAlertDeliveries(em, viewer, status, config.jobs.queue);
  }

  @Query(() => String, {
    nullable: true,
    description: "The hub's VAPID public key for a browser's push subscription (null: no Web Push)",
  })
  webPushPublicKey(@Ctx() { viewer, config }: Context): string | null {
    return webPushPublicKey(viewer, config);
  }
}
