import { ApiError, hasAccessToken, refresh, signOut as endSession, authConfig } from './api/client';
import {
  fetchCase,
  fetchMe,
  fetchMyCases,
  logAttempt,
  recordConsent,
  reportIncident,
  type CaseView,
  type Me,
} from './api/operations';
import { forgetActivity, idleTooLong, markActive } from './offline/idle';
import { Outbox, type OutboxItem } from './offline/outbox';
import { indexedDbBackend, memoryBackend, SecureStore } from './offline/secure-store';
import { setLanguage, type Language } from './i18n';

/**
 * The app's state: who is signed in, their cases (from the hub, or from the encrypted copy on
 * the phone when offline) and the outbox. Screens read it with useAppState() and re-render on
 * every change.
 */
export interface AppState {
  ready: boolean;
  online: boolean;
  me: Me | null;
  cases: CaseView[];
  casesDenied: boolean;
  casesSavedAt: string | null;
  outbox: OutboxItem[];
  notice: string | null;
  /** The hub's 42 CFR §2.32 notice, when the cases it sent carry a Part 2 record (ui/part2.ts). */
  part2Notice: string | null;
  idleMinutes: number;
  identityProviders: Array<{ id: string; label: string }>;
  vapidPublicKey: string | null;
}

let state: AppState = {
  ready: false,
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  me: null,
  cases: [],
  casesDenied: false,
  casesSavedAt: null,
  outbox: [],
  notice: null,
  part2Notice: null,
  idleMinutes: 30,
  identityProviders: [],
  vapidPublicKey: null,
};
const listeners = new Set<() => void>();

export const getState = () => state;
export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
function set(patch: Partial<AppState>): void {
  state = { ...state, ...patch };
  listeners.forEach((l) => l());
}

/** One store (one IndexedDB connection) for every caller: a second would block the wipe. */
let secure: Promise<SecureStore> | null = null;
function store(): Promise<SecureStore> {
  secure ??= (async () =>
    SecureStore.open(
      typeof indexedDB === 'undefined' ? memoryBackend() : await indexedDbBackend(),
    ))();
  return secure;
}

interface Profile {
  me: Me;
  cases: CaseView[];
  casesDenied: boolean;
  part2Notice?: string | null;
  savedAt: string;
}

const outbox = new Outbox(
  {
    load: async () => (await (await store()).get<OutboxItem[]>('outbox')) ?? [],
    save: async (items) => {
      await (await store()).put('outbox', items);
      set({ outbox: items });
    },
  },
  {
    logAttempt: async (caseId, version, input) =>
      (await logAttempt(caseId, version, input)).logOutreachAttempt,
    recordConsent: (caseId, version, input) => recordConsent(caseId, version, input),
    reportIncident: (input) => reportIncident(input),
    fetchCase: async (id) => (await fetchCase(id)).data?.case ?? null,
  },
);
export { outbox };

/** Deletes everything on the phone: key, cases, outbox. */
export async function wipeDevice(): Promise<void> {
  const current = store();
  secure = null;
  await (await current).wipe();
  forgetActivity();
  set({
    me: null,
    cases: [],
    outbox: [],
    casesSavedAt: null,
    casesDenied: false,
    part2Notice: null,
  });
}

async function loadFromHub(): Promise<void> {
  const meAnswer = await fetchMe();
  const me = meAnswer.data?.me ?? null;
  if (!me) return;
  const saved = await (await store()).get<Profile>('profile');
  // Another person signed in on this phone: nothing of the previous one stays.
  if (saved && saved.me.user?.id !== me.user?.id) await wipeDevice();
  const casesAnswer = await fetchMyCases();
  const casesDenied = !casesAnswer.data?.cases;
  const cases = casesAnswer.data?.cases?.edges.map((e) => e.node) ?? [];
  const part2Notice = casesAnswer.part2Notice ?? null;
  const profile: Profile = {
    me,
    cases,
    casesDenied,
    part2Notice,
    savedAt: new Date().toISOString(),
  };
  await (await store()).put('profile', profile);
  set({
    me,
    cases,
    casesDenied,
    part2Notice,
    casesSavedAt: profile.savedAt,
    outbox: await outbox.list(),
  });
}

/** Reload cases from the hub (when online) after sending what waits. */
export async function syncNow(): Promise<void> {
  try {
    // After a reload offline the access token is gone: the refresh cookie brings a new one.
    if (!hasAccessToken() && !(await refresh())) {
      set({ me: null, online: true });
      return;
    }
    await outbox.sync();
    await loadFromHub();
    set({ online: true });
  } catch (error) {
    if (error instanceof ApiError && error.code === 'NETWORK') set({ online: false });
    else if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') set({ me: null });
    else throw error;
  }
}

export async function afterSignIn(): Promise<void> {
  markActive();
  await loadFromHub();
  await syncNow();
}

export async function start(): Promise<void> {
  const config = await authConfig().catch(() => null);
  const idleMinutes =
    config?.deviceIdleMinutes ?? Number(localStorage.getItem('hub.fieldApp.idleMinutes') ?? 30);
  localStorage.setItem('hub.fieldApp.idleMinutes', String(idleMinutes));
  set({
    idleMinutes,
    identityProviders: config?.identityProviders ?? [],
    vapidPublicKey: config?.vapidPublicKey ?? null,
  });
  const lang = localStorage.getItem('hub.fieldApp.language');
  if (lang === 'en' || lang === 'es') setLanguage(lang);
  if (idleTooLong(idleMinutes)) {
    await wipeDevice();
    set({ ready: true, notice: 'idleWiped' });
    return;
  }
  const saved = await (await store()).get<Profile>('profile').catch(() => undefined);
  try {
    if (await refresh()) {
      await afterSignIn();
    } else if (saved) {
      // The session ended while away: the entries not yet sent stay until the same person signs in.
      set({ me: null });
    }
  } catch {
    // Offline: work from the copy on the phone.
    if (saved)
      set({
        me: saved.me,
        cases: saved.cases,
        casesDenied: saved.casesDenied,
        part2Notice: saved.part2Notice ?? null,
        casesSavedAt: saved.savedAt,
        online: false,
      });
  }
  set({ ready: true, outbox: await outbox.list().catch(() => []) });
  startIdleWatch();
  window.addEventListener('online', () => {
    set({ online: true });
    void syncNow();
  });
  window.addEventListener('offline', () => set({ online: false }));
}

function startIdleWatch(): void {
  const touch = () => markActive();
  ['pointerdown', 'keydown'].forEach((e) => window.addEventListener(e, touch, { passive: true }));
  setInterval(() => {
    if (state.me && idleTooLong(state.idleMinutes)) {
      void signOut(true).then(() => set({ notice: 'idleWiped' }));
    }
  }, 30_000);
}

export async function signOut(force = false): Promise<boolean> {
  const unsent = state.outbox.length;
  if (unsent > 0 && !force) return false;
  await endSession();
  await wipeDevice();
  return true;
}

export function chooseLanguage(lang: Language): void {
  localStorage.setItem('hub.fieldApp.language', lang);
  setLanguage(lang);
  set({});
}

export function setNotice(notice: string | null): void {
  set({ notice });
}

export function setOnline(online: boolean): void {
  set({ online });
}

/** Adds an entry to the outbox and tries to send it at once. */
export async function queue(
  item: Parameters<Outbox['add']>[0],
): Promise<'sent' | 'queued' | OutboxItem> {
  const added = await outbox.add(item);
  set({ outbox: await outbox.list() });
  await syncNow().catch(() => undefined);
  const left = (await outbox.list()).find((i) => i.id === added.id);
  if (!left) return 'sent';
  return left.state === 'pending' ? 'queued' : left;
}
