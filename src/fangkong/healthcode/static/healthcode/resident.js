/* The resident's page: refresh the code shortly before it expires, count down, and keep
   venue check-ins on the phone until the server has them (store-and-forward).

   The check-in queue lives in localStorage under a key of this resident's link, so a reload
   or a closed tab loses nothing; every item carries a client key, so an upload that was
   received but whose answer was lost is simply sent again and stored once. Uploads run on
   submit, when the browser comes back online, and on a retry timer; a 503 (the server is
   shedding load) or a network error keeps the items queued. The venue page (opened from a
   poster by a phone camera) forwards to the resident's own page, remembered here. */
(function () {
  "use strict";
  var RESIDENT = "fk.hc.resident";
  var RETRY_MS = 15000;

  function randomKey() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function venueToken(text) {
    var found = /\/v\/([^\/?#\s]+)\/?/.exec(text || "");
    return (found ? decodeURIComponent(found[1]) : (text || "")).trim();
  }
  function store(key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full or private mode */ } }
  function load(key, fallback) {
    try { var raw = localStorage.getItem(key); return raw ? JSON.parse(raw) : fallback; } catch (e) { return fallback; }
  }

  /* ---------------------------------------------------------- the venue page */
  var forward = document.getElementById("venue-forward");
  if (forward) {
    var home = load(RESIDENT, null);
    if (home && typeof home === "string" && home.indexOf("/c/") === 0) {
      document.getElementById("venue-go").hidden = false;
      window.location.replace(home + "?venue=" + encodeURIComponent(forward.dataset.venue));
    }
    return;
  }

  /* ---------------------------------------------------------- the code */
  var card = document.getElementById("hc-code");
  var base = window.location.pathname;
  store(RESIDENT, base);
  var net = document.getElementById("hc-net");
  function showNet() {
    if (!net) { return; }
    net.textContent = navigator.onLine ? net.dataset.online : net.dataset.offline;
    net.classList.toggle("offline", !navigator.onLine);
  }

  function redraw(data) {
    card.className = "hc-code colour-" + data.colour;
    var banner = document.getElementById("hc-banner");
    banner.textContent = data.colour_text;
    banner.dataset.colour = data.colour;
    var qr = document.getElementById("hc-qr");
    qr.innerHTML = window.QRCode.svg(data.token, 4);  /* qr.js: drawn here, not on the server */
    qr.dataset.token = data.token;
    var flags = document.getElementById("hc-flags");
    flags.textContent = "";
    data.flags.forEach(function (f) {
      var li = document.createElement("li"); li.dataset.flag = f.code; li.textContent = f.text; flags.appendChild(li);
    });
    var reasons = document.getElementById("hc-reasons");
    reasons.textContent = "";
    data.reasons.forEach(function (r) {
      var li = document.createElement("li"), strong = document.createElement("strong"), span = document.createElement("span");
      li.dataset.code = r.code; strong.textContent = r.text; span.className = "clears"; span.textContent = r.clears;
      li.appendChild(strong); li.appendChild(span); reasons.appendChild(li);
    });
    if (!data.reasons.length) {
      var none = document.createElement("li"); none.className = "muted"; none.textContent = reasons.dataset.none; reasons.appendChild(none);
    }
    card.dataset.refreshAt = data.refresh_at;
    card.dataset.expiresAt = data.expires_at;
  }

  var fetching = false, nextTry = 0;
  function refresh() {
    if (fetching || Date.now() < nextTry) { return; }
    fetching = true;
    fetch(card.dataset.jsonUrl, {cache: "no-store", credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) { redraw(data); nextTry = 0; })
      .catch(function () { nextTry = Date.now() + RETRY_MS; })
      .then(function () { fetching = false; });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    showNet();
    if (!card) { return; }
    var now = Date.now();
    var expires = Date.parse(card.dataset.expiresAt), due = Date.parse(card.dataset.refreshAt);
    var left = Math.max(0, Math.floor((expires - now) / 1000));
    card.classList.toggle("expired", left === 0);
    document.getElementById("hc-countdown").textContent = fetching ? card.dataset.refreshing
      : card.dataset.left + " " + Math.floor(left / 60) + ":" + pad(left % 60);
    if (now >= due) { refresh(); }
  }
  if (card) { tick(); window.setInterval(tick, 1000); }

  /* ---------------------------------------------------------- check-ins, store-and-forward */
  var form = document.getElementById("venue-form");
  if (!form) { return; }
  var QUEUE = "fk.hc.checkins:" + base;
  var input = document.getElementById("venue-code");
  var queueLine = document.getElementById("checkin-queue");
  var log = document.getElementById("checkin-log");
  var sending = false;

  function showQueue() {
    var n = load(QUEUE, []).length;
    queueLine.textContent = n ? n + " " + form.dataset.queued : "";
    queueLine.dataset.count = String(n);
  }
  function note(text, cls) {
    var li = document.createElement("li"); li.textContent = text; if (cls) { li.className = cls; }
    log.insertBefore(li, log.firstChild);
  }
  function enqueue(token) {
    var queue = load(QUEUE, []);
    queue.push({venue_token: token, ts: new Date().toISOString(), client_key: randomKey()});
    store(QUEUE, queue);
    showQueue();
  }
  function settle(batch, answer) {
    var refused = {};
    (answer.errors || []).forEach(function (e) { refused[e.index] = e.reason; });
    var sentKeys = {};
    batch.forEach(function (item, i) {
      sentKeys[item.client_key] = true;
      if (refused[i] !== undefined) { note(form.dataset.bad + ": " + refused[i], "field-error"); }
      else { note(form.dataset.sent + " · " + new Date(item.ts).toLocaleTimeString(), "ok"); }
    });
    store(QUEUE, load(QUEUE, []).filter(function (item) { return !sentKeys[item.client_key]; }));
  }
  function flush() {
    var batch = load(QUEUE, []).slice(0, 200);
    if (sending || !batch.length) { showQueue(); return; }
    sending = true;
    fetch(form.dataset.url, {method: "POST", credentials: "omit", cache: "no-store",
                             headers: {"Content-Type": "application/json"},
                             body: JSON.stringify({items: batch})})
      .then(function (r) {
        if (r.ok) { return r.json().then(function (answer) { settle(batch, answer); }); }
        if (r.status === 422 || r.status === 400) {
          return r.json().then(function (answer) {  /* the whole batch was refused: drop it */
            settle(batch, {errors: batch.map(function (item, i) { return {index: i, reason: answer.detail}; })});
          });
        }
        throw new Error(r.status);  /* 503 shed, 5xx: keep queued, retry later */
      })
      .catch(function () { /* offline or overloaded: the queue stays */ })
      .then(function () { sending = false; showQueue(); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var token = venueToken(input.value);
    if (!token) { input.focus(); return; }
    enqueue(token);
    input.value = "";
    flush();
  });
  var params = new URLSearchParams(window.location.search);
  if (params.get("venue")) {
    enqueue(venueToken(params.get("venue")));
    params.delete("venue");
    var rest = params.toString();
    window.history.replaceState(null, "", base + (rest ? "?" + rest : "") + window.location.hash);
  }
  window.addEventListener("online", function () { showNet(); flush(); if (card) { nextTry = 0; refresh(); } });
  window.addEventListener("offline", showNet);
  window.setInterval(flush, RETRY_MS);
  showQueue();
  flush();
})();
