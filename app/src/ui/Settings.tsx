import { useEffect, useState } from 'preact/hooks';
import { startRegistration } from '@simplewebauthn/browser';
import { t } from '../i18n';
import { passkeyFinish, passkeyOptions } from '../api/client';
import {
  fetchNotificationSettings,
  savePushSubscription,
  signOutEverywhere,
  updateNotificationSettings,
  type NotificationSettings,
} from '../api/operations';
import { signOut } from '../store';
import { Message, errorText } from './common';
import { useAppState } from './hooks';

const base64url = (buffer: ArrayBuffer | null) =>
  buffer
    ? btoa(String.fromCharCode(...new Uint8Array(buffer)))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '')
    : '';

function urlBase64ToUint8Array(value: string): Uint8Array<ArrayBuffer> {
  const padded = (value + '='.repeat((4 - (value.length % 4)) % 4))
    .replace(/-/g, '+')
    .replace(/_/g, '/');
  const raw = atob(padded);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

export function Settings() {
  const app = useAppState();
  const [settings, setSettings] = useState<NotificationSettings | null>(null);
  const [denied, setDenied] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; say: () => string } | null>(null);

  useEffect(() => {
    fetchNotificationSettings()
      .then((a) => {
        setSettings(a.data?.myNotificationSettings ?? null);
        setDenied(!a.data?.myNotificationSettings);
      })
      .catch(() => setDenied(true));
  }, []);

  const change = async (patch: { byPush?: boolean; byEmail?: boolean }) => {
    try {
      if (patch.byPush && settings?.pushPublicKey) {
        const registration = await navigator.serviceWorker.ready;
        const subscription = await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: urlBase64ToUint8Array(settings.pushPublicKey),
        });
        await savePushSubscription({
          endpoint: subscription.endpoint,
          p256dh: base64url(subscription.getKey('p256dh')),
          auth: base64url(subscription.getKey('auth')),
        });
      }
      const updated = await updateNotificationSettings({
        ...patch,
        language: document.documentElement.lang,
      });
      setSettings(updated.updateNotificationSettings);
      setMessage({ kind: 'ok', say: () => t('saved') });
    } catch (e) {
      setMessage({ kind: 'error', say: () => errorText(e) });
    }
  };

  const addPasskey = async () => {
    try {
      const options = (await passkeyOptions('register')) as Parameters<
        typeof startRegistration
      >[0]['optionsJSON'];
      await passkeyFinish('register', await startRegistration({ optionsJSON: options }));
      setMessage({ kind: 'ok', say: () => t('passkeyAdded') });
    } catch (e) {
      setMessage({ kind: 'error', say: () => errorText(e) });
    }
  };

  const leave = async (everywhere: boolean) => {
    if (app.outbox.length > 0 && !window.confirm(t('unsentWarning', { count: app.outbox.length })))
      return;
    if (everywhere) await signOutEverywhere().catch(() => undefined);
    await signOut(true);
    location.hash = '#/sign-in';
  };

  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">{t('settings')}</h1>
      <h2>{t('reminders')}</h2>
      {denied ? (
        <p>{t('notForRole')}</p>
      ) : (
        <>
          <p>{t('remindersIntro')}</p>
          <div class="check">
            <input
              id="remind-push"
              type="checkbox"
              disabled={!settings?.pushPublicKey || !app.online}
              checked={Boolean(settings?.byPush)}
              onChange={(e) => change({ byPush: (e.target as HTMLInputElement).checked })}
            />
            <label for="remind-push">{t('byPush')}</label>
          </div>
          {settings && !settings.pushPublicKey && <p class="hint">{t('pushNotReady')}</p>}
          <div class="check">
            <input
              id="remind-email"
              type="checkbox"
              disabled={!app.online}
              checked={Boolean(settings?.byEmail)}
              onChange={(e) => change({ byEmail: (e.target as HTMLInputElement).checked })}
            />
            <label for="remind-email">{t('byEmail')}</label>
          </div>
        </>
      )}
      {message && <Message kind={message.kind}>{message.say()}</Message>}
      <div class="actions stacked">
        <button type="button" onClick={addPasskey} disabled={!app.online}>
          {t('addPasskey')}
        </button>
        <button type="button" id="sign-out" onClick={() => leave(false)}>
          {t('signOut')}
        </button>
        <button type="button" onClick={() => leave(true)} disabled={!app.online}>
          {t('signOutEverywhere')}
        </button>
      </div>
    </section>
  );
}
