/**
 * The device wipe after a quiet spell: the last time the worker used the app is kept (a time
 * only, nothing about anyone) so that the check also works after the phone was off.
 */
const LAST_ACTIVE = 'hub.fieldApp.lastActive';

export function markActive(
  now = Date.now(),
  storage: Pick<Storage, 'setItem'> = localStorage,
): void {
  storage.setItem(LAST_ACTIVE, String(now));
}

export function idleTooLong(
  idleMinutes: number,
  now = Date.now(),
  storage: Pick<Storage, 'getItem'> = localStorage,
): boolean {
  const last = Number(storage.getItem(LAST_ACTIVE) ?? NaN);
  return Number.isFinite(last) && now - last > idleMinutes * 60_000;
}

export function forgetActivity(storage: Pick<Storage, 'removeItem'> = localStorage): void {
  storage.removeItem(LAST_ACTIVE);
}
