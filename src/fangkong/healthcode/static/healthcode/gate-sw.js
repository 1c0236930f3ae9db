/* Service worker of the health-code gate page (served from /healthcode/gate/sw.js, so its
   scope is the gate page). It keeps a copy of the page, its scripts and styles and the
   published keys, so the page reloads with no network. Network first: online, the device
   always gets the current page and keys (and the copy is refreshed); offline, or when the
   network hangs, the copy answers. Uploads (POST) are never touched: gate.js queues them. */
"use strict";

var CACHE = "fk-gate-v1";
var NETWORK_WAIT_MS = 4000;

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("fk-gate-") === 0 && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

/* The page names what to keep (its own URL, its assets, the keys); answer on the port. */
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "cache" || !Array.isArray(data.urls)) { return; }
  var port = event.ports && event.ports[0];
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(data.urls.map(function (url) {
      return fetch(url, { credentials: "same-origin", cache: "no-cache" }).then(function (response) {
        if (keepable(response)) { return cache.put(url, response); }
        return null;
      });
    }));
  }).then(function () {
    if (port) { port.postMessage({ cached: true }); }
  }).catch(function (error) {
    if (port) { port.postMessage({ cached: false, error: String(error) }); }
  }));
});

function keepable(response) {
  return response && response.ok && response.type === "basic" && !response.redirected;
}

function withTimeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("network timeout")); }, ms);
    promise.then(function (r) { clearTimeout(timer); resolve(r); },
                 function (e) { clearTimeout(timer); reject(e); });
  });
}

function fromCache(request) {
  var navigate = request.mode === "navigate";
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request, { ignoreSearch: navigate, ignoreVary: true });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/api/") === 0) { return; }
  event.respondWith(withTimeout(fetch(request), NETWORK_WAIT_MS).then(function (response) {
    if (keepable(response) && request.mode !== "navigate") {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.match(request).then(function (had) {
        if (had) { cache.put(request, copy); }  // refresh what the page asked to keep
      }); });
    }
    return response;
  }).catch(function (error) {
    return fromCache(request).then(function (hit) {
      if (hit) { return hit; }
      throw error;
    });
  }));
});
