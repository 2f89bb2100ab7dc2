// Service worker: keeps the application shell (HTML, modules, styles, Leaflet, ECharts, icon)
// so the app opens without a network, and makes it installable. Network first for the shell
// (a fresh deployment is picked up at once when online), the cached copy when offline. The
// API is never cached: reports made offline wait in the page's IndexedDB outbox (outbox.js).

const CACHE = 'gridgov-shell-v5';
const SHELL = [
  '/',
  '/index.html',
  '/app.js',
  '/api.js',
  '/i18n.js',
  '/map.js',
  '/ui.js',
  '/cases.js',
  '/report.js',
  '/track.js',
  '/dashboard.js',
  '/households.js',
  '/civic.js',
  '/survey.js',
  '/outbox.js',
  '/fieldwork.js',
  '/users.js',
  '/pagekit.js',
  '/formstate.js',
  '/community.js',
  '/ratings.js',
  '/i18n_community.js',
  '/style.css',
  '/icon.svg',
  '/manifest.webmanifest',
  '/vendor/leaflet/leaflet.js',
  '/vendor/leaflet/leaflet.css',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(SHELL))
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
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/open311/') || url.pathname === '/metrics') return;
  event.respondWith(
    fetch(req)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(req.mode === 'navigate' ? '/' : req, copy));
        }
        return res;
      })
      .catch(() => caches.match(req.mode === 'navigate' ? '/' : req).then((hit) => hit || Response.error())),
  );
});
