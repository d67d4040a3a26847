import { useState } from 'preact/hooks';
import { startAuthentication } from '@simplewebauthn/browser';
import {
  ApiError,
  changePassword,
  passkeyFinish,
  passkeyOptions,
  signInWithPassword,
} from '../api/client';
import { t } from '../i18n';
import { afterSignIn, setNotice } from '../store';
import { Field, Message, errorText, type Said } from './common';
import { useAppState, useStateNotice } from './hooks';

export function SignIn() {
  const app = useAppState();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [mustChange, setMustChange] = useState(false);
  const [error, setError] = useState<Said | null>(() => {
    const code = new URLSearchParams(location.hash.split('?')[1] ?? '').get('error');
    return code ? { say: () => errorText(new ApiError(code, code)) } : null;
  });
  const [busy, setBusy] = useState(false);
  const notice = useStateNotice();

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await action();
      setNotice(null);
      const signInScreen = location.hash;
      await afterSignIn();
      // The cases show (and the tabs work) before the sign-in has finished syncing: a worker who
      // already tapped a tab stays there instead of being sent back home.
      if (location.hash === signInScreen) location.hash = '#/';
    } catch (e) {
      if (e instanceof ApiError && e.code === 'PASSWORD_CHANGE_REQUIRED') setMustChange(true);
      setError({ say: () => errorText(e) });
    } finally {
      setBusy(false);
    }
  }

  const submit = (event: Event) => {
    event.preventDefault();
    if (!email) return setError({ say: () => t('error.FIELD_REQUIRED', { field: t('email') }) });
    if (!password)
      return setError({ say: () => t('error.FIELD_REQUIRED', { field: t('password') }) });
    void run(() =>
      mustChange
        ? changePassword(email, password, newPassword)
        : signInWithPassword(email, password),
    );
  };

  const passkey = () =>
    run(async () => {
      const options = (await passkeyOptions('sign-in')) as Parameters<
        typeof startAuthentication
      >[0]['optionsJSON'];
      const response = await startAuthentication({ optionsJSON: options });
      await passkeyFinish('sign-in', response);
    });

  return (
    <section aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t('signIn')}</h1>
      {notice && <Message kind="info">{notice}</Message>}
      <form id="sign-in-form" onSubmit={submit} noValidate>
        <Field id="email" label={t('email')}>
          <input
            id="email"
            type="email"
            autoComplete="username webauthn"
            value={email}
            onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
          />
        </Field>
        <Field id="password" label={t('password')}>
          <input
            id="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          />
        </Field>
        {mustChange && (
          <Field id="new-password" label={t('newPassword')} hint={t('chooseNewPassword')}>
            <input
              id="new-password"
              type="password"
              autoComplete="new-password"
              value={newPassword}
              onInput={(e) => setNewPassword((e.target as HTMLInputElement).value)}
            />
          </Field>
        )}
        {error && <Message kind="error">{error.say()}</Message>}
        <button type="submit" class="primary" disabled={busy}>
          {t('signIn')}
        </button>
      </form>
      <div class="alt-sign-in">
        <button type="button" onClick={passkey} disabled={busy}>
          {t('signInPasskey')}
        </button>
        {app.identityProviders.map((p) => (
          <a
            class="button"
            href={`/auth/oidc/start?provider=${encodeURIComponent(p.id)}`}
            key={p.id}
          >
            {t('signInWith', { name: p.label })}
          </a>
        ))}
      </div>
    </section>
  );
}
