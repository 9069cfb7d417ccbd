// The phone desk's service worker: the page starts without a network (it then says it is
// offline), and a tap on a "new call" notification brings the desk to the front.
// The cache name follows the build (build.mjs writes the version); MQTT is never cached.
const CACHE = "phone-desk-b0c580a2d925";
const SHELL = ["./", "index.html", "app.js", "style.css", "icon.svg", "manifest.webmanifest", "desk.json"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  // Network first (a new build is seen at once), the cached copy when there is no network.
  event.respondWith(
    fetch(request)
      .then((answer) => {
        if (answer.ok) {
          const copy = answer.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return answer;
      })
      .catch(() => caches.match(request).then((hit) => hit || Response.error())),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => "focus" in w);
      return open ? open.focus() : self.clients.openWindow("./");
    }),
  );
});
