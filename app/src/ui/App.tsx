import { t } from '../i18n';
import { chooseLanguage } from '../store';
import { language } from '../i18n';
import { useAppState, useRoute } from './hooks';
import { SignIn } from './SignIn';
import { Cases } from './Cases';
import { CaseDetail } from './CaseDetail';
import { Resources } from './Resources';
import { QuickReport } from './QuickReport';
import { Settings } from './Settings';
import { Message } from './common';

const RESPONDERS = new Set(['POLICE_OFFICER', 'EMS_PROVIDER']);

/** The tabs a role gets; the hub decides what each may read, this only hides dead ends. */
function tabsFor(role: string | null | undefined): Array<{ path: string; label: string }> {
  if (RESPONDERS.has(role ?? ''))
    return [
      { path: 'report', label: t('quickReport') },
      { path: 'settings', label: t('settings') },
    ];
  return [
    { path: 'cases', label: t('myCases') },
    { path: 'resources', label: t('resources') },
    { path: 'settings', label: t('settings') },
  ];
}

export function App() {
  const app = useAppState();
  const route = useRoute();
  const toggle = (
    <button
      type="button"
      id="language-toggle"
      lang={language() === 'en' ? 'es' : 'en'}
      onClick={() => chooseLanguage(language() === 'en' ? 'es' : 'en')}
    >
      {t('switchLanguage')}
    </button>
  );
  if (!app.ready)
    return (
      <main>
        <p>{t('loading')}</p>
      </main>
    );
  const signedIn = Boolean(app.me);
  const tabs = tabsFor(app.me?.role);
  const home = tabs[0].path;
  const [screen, param] = route.length ? route : [home];
  let body;
  if (!signedIn) body = <SignIn />;
  else if (screen === 'case' && param) body = <CaseDetail id={param} />;
  else if (screen === 'resources') body = <Resources />;
  else if (screen === 'report')
    body = RESPONDERS.has(app.me?.role ?? '') ? (
      <QuickReport />
    ) : (
      <Message kind="info">{t('notForRole')}</Message>
    );
  else if (screen === 'settings') body = <Settings />;
  else if (screen === 'cases' || screen === 'sign-in' || !screen)
    body = RESPONDERS.has(app.me?.role ?? '') ? <QuickReport /> : <Cases />;
  else body = <Cases />;
  return (
    <>
      <header class="top">
        <span class="brand">{t('appName')}</span>
        <span class={`net ${app.online ? 'on' : 'off'}`} id="net-status" role="status">
          {app.online ? t('online') : t('offline')}
        </span>
        {toggle}
      </header>
      <main id="main">{body}</main>
      {signedIn && (
        <nav class="tabs" aria-label={t('appName')}>
          {tabs.map((tab) => (
            <a
              key={tab.path}
              href={`#/${tab.path}`}
              aria-current={screen === tab.path ? 'page' : undefined}
            >
              {tab.label}
            </a>
          ))}
        </nav>
      )}
    </>
  );
}
