/* The field app's service worker: the app shell works offline. Only the app's own files are
   cached; GraphQL and sign-in answers never are (case data lives encrypted in IndexedDB). */
const FILES = self.__PRECACHE__;
const CACHE = 'field-app-' + self.__BUILD__;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (!url.pathname.startsWith('/app/')) return;
  // Navigations get the app shell, so a reload in airplane mode still opens the app.
  const key = event.request.mode === 'navigate' ? './' : event.request;
  event.respondWith(
    caches.open(CACHE).then((cache) => cache.match(key).then((hit) => hit || fetch(event.request))),
  );
});

/* Reminders: the text comes from the hub and never names a person or the overdose. */
self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  event.waitUntil(
    self.registration.showNotification(data.title || 'Hub', {
      body: data.body || '',
      icon: '/app/icon.svg',
      tag: 'hub-reminder',
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(self.clients.openWindow('/app/#/cases'));
});
