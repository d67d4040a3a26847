import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import {
  endUserSessions,
  notificationSettings,
  removePushSubscription,
  savePushSubscription,
  signOutEverywhere,
  updateNotificationSettings,
} from './account.service';
import {
  NotificationSettingsInput,
  NotificationSettingsType,
  PasswordResetType,
  PushSubscriptionInput,
} from './account.types';
import { requireUuid, resetPasswordByAdmin } from './password.service';

const REQUIRED = { nullable: false } as const;

/** Sessions, passwords an admin resets, and reminder settings (sign-in itself is at /auth). */
@Resolver()
export class AccountResolver {
  @Mutation(() => Int, {
    nullable: true,
    description: 'End every session of yours, on every device; answers how many were open',
  })
  signOutEverywhere(@Ctx() { em, viewer }: Context): Promise<number> {
    return signOutEverywhere(em, viewer);
  }

  @Mutation(() => Int, {
    nullable: true,
    description: "Agency admin: end every session of one of your agency's users at once",
  })
  endUserSessions(
    @Ctx() { em, viewer }: Context,
    @Arg('userId', () => ID, REQUIRED) userId: string,
  ): Promise<number> {
    requireUuid('userId', userId);
    return endUserSessions(em, viewer, userId);
  }

  @Mutation(() => PasswordResetType, {
    nullable: true,
    description:
      "Agency admin: give one of your agency's users a temporary password (their sessions end, a lock is lifted)",
  })
  resetUserPassword(
    @Ctx() { em, viewer, config }: Context,
    @Arg('userId', () => ID, REQUIRED) userId: string,
  ) {
    requireUuid('userId', userId);
    return resetPasswordByAdmin(em, config, viewer, userId);
  }

  @Query(() => NotificationSettingsType, { nullable: true, description: 'Your reminder settings' })
  myNotificationSettings(@Ctx() { em, viewer, config }: Context) {
    return notificationSettings(em, config, viewer);
  }

  @Mutation(() => NotificationSettingsType, {
    nullable: true,
    description: 'Choose how reminders reach you (push, email, both or neither) and their language',
  })
  updateNotificationSettings(
    @Ctx() { em, viewer, config }: Context,
    @Arg('input', () => NotificationSettingsInput, REQUIRED) input: NotificationSettingsInput,
  ) {
    return updateNotificationSettings(em, config, viewer, input);
  }

  @Mutation(() => Boolean, { nullable: true, description: "Keep this browser's push subscription" })
  savePushSubscription(
    @Ctx() { em, viewer }: Context,
    @Arg('input', () => PushSubscriptionInput, REQUIRED) input: PushSubscriptionInput,
  ): Promise<boolean> {
    return savePushSubscription(em, viewer, input);
  }

  @Mutation(() => Boolean, { nullable: true, description: 'Stop push reminders to one browser' })
  removePushSubscription(
    @Ctx() { em, viewer }: Context,
    @Arg('endpoint', () => String, REQUIRED) endpoint: string,
  ): Promise<boolean> {
    return removePushSubscription(em, viewer, endpoint);
  }
}
