import { useEffect, useState } from 'preact/hooks';
import { onLanguageChange, t, type MessageKey } from '../i18n';
import { getState, subscribe, type AppState } from '../store';

/** The app state; the screen re-renders on each change and on a language switch. */
export function useAppState(): AppState {
  const [snapshot, setSnapshot] = useState(getState());
  useEffect(() => {
    const update = () => setSnapshot(getState());
    const a = subscribe(update);
    const b = onLanguageChange(update);
    return () => {
      a();
      b();
    };
  }, []);
  return snapshot;
}

/** The part of the address after #, e.g. ['case', '<id>']. */
export function useRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, '').split('?')[0].split('/').filter(Boolean);
  const [route, setRoute] = useState(read());
  useEffect(() => {
    const update = () => setRoute(read());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function go(path: string): void {
  location.hash = `#/${path}`;
}

export function queryParam(name: string): string | null {
  const query = location.hash.split('?')[1] ?? '';
  return new URLSearchParams(query).get(name);
}

/** The store's notice (a message key) in the current language. */
export function useStateNotice(): string | null {
  const { notice } = useAppState();
  return notice ? t(notice as MessageKey) : null;
}
