import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import type { ReadyConfig } from '../../config';
import { badInput } from '../../errors/hub-errors';
import { NotificationSetting, PushSubscriptionRecord } from './account.entities';
import type { NotificationSettingsInput, PushSubscriptionInput } from './account.types';
import { EndReason } from './account-codes';
import { findManagedUser } from './password.service';
import { endAllSessions } from './session.service';

/** Sessions belong to people: an API key has none to end. */
function userOf(viewer: Viewer): string {
  if (viewer.kind !== 'USER' || !viewer.userId)
    throw badInput({ field: 'viewer', message: 'Only a signed-in person has sessions' });
  return viewer.userId;
}

export function signOutEverywhere(em: EntityManager, viewer: Viewer): Promise<number> {
  return endAllSessions(em, userOf(viewer), EndReason.SIGN_OUT_EVERYWHERE);
}

export async function endUserSessions(
  em: EntityManager,
  viewer: Viewer,
  userId: string,
): Promise<number> {
  const user = await findManagedUser(em, viewer, userId);
  return endAllSessions(em, user.id, EndReason.ENDED_BY_ADMIN);
}

export async function notificationSettings(em: EntityManager, config: ReadyConfig, viewer: Viewer) {
  const userId = userOf(viewer);
  const setting = await em.findOne(NotificationSetting, { user: userId });
  return {
    byPush: setting?.byPush ?? false,
    byEmail: setting?.byEmail ?? false,
    language: setting?.language ?? 'en',
    pushDevices: await em.count(PushSubscriptionRecord, { user: userId }),
    pushPublicKey: config.alerts.vapid?.publicKey ?? null,
  };
}

export async function updateNotificationSettings(
  em: EntityManager,
  config: ReadyConfig,
  viewer: Viewer,
  input: NotificationSettingsInput,
) {
  const userId = userOf(viewer);
  if (input.byPush && !config.alerts.vapid)
    throw badInput({ field: 'input.byPush', message: 'Push reminders are not set up on this hub' });
  const setting =
    (await em.findOne(NotificationSetting, { user: userId })) ??
    em.create(NotificationSetting, { user: userId });
  if (input.byPush !== undefined && input.byPush !== null) setting.byPush = input.byPush;
  if (input.byEmail !== undefined && input.byEmail !== null) setting.byEmail = input.byEmail;
  if (input.language) setting.language = input.language;
  // Reminders count from now: switching them on does not replay the past.
  setting.lastNotifiedAt ??= new Date();
  await em.flush();
  return notificationSettings(em, config, viewer);
}

export async function savePushSubscription(
  em: EntityManager,
  viewer: Viewer,
  input: PushSubscriptionInput,
): Promise<boolean> {
  // A browser's push service is always https; anything else is not a real subscription.
  if (!input.endpoint.startsWith('https://'))
    throw badInput({ field: 'input.endpoint', message: 'must be an https URL' });
  const userId = userOf(viewer);
  await em.execute(
    `insert into push_subscription (id, created_at, updated_at, user_id, endpoint, p256dh, auth)
     values (gen_random_uuid(), now(), now(), ?, ?, ?, ?)
     on conflict (endpoint) do update set user_id = excluded.user_id, p256dh = excluded.p256dh,
       auth = excluded.auth, updated_at = now()`,
    [userId, input.endpoint, input.p256dh, input.auth],
  );
  return true;
}

export async function removePushSubscription(
  em: EntityManager,
  viewer: Viewer,
  endpoint: string,
): Promise<boolean> {
  const removed = await em.nativeDelete(PushSubscriptionRecord, { user: userOf(viewer), endpoint });
  return removed > 0;
}
