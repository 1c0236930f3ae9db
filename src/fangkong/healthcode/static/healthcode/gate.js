/* The health-code gate: verify codes on the device, decide, queue, upload when possible.

   A scan never waits for the network: the token is verified by verify.js (Ed25519 and expiry
   against public keys cached in localStorage), the decision is shown at once, and the event
   {client_key, scanned_at, pseudonym, colour, result, reason, temperature} is kept in
   localStorage. Batches are uploaded when online; the server stores each event once per
   (device, client key), so a lost answer is simply sent again. A 503 (the server shedding
   load), a 429, a network error or an expired login keep the events queued and retry later
   with backoff; only the server's per-event refusals leave the queue (listed on the page).
   Nothing about the person is shown or kept but the code's pseudonym and colour. */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("gate-config").textContent);
  var S = cfg.strings;
  var KEY = "fk.gate.v1." + cfg.user;
  var BATCH = 100, RECENT = 10, MAX_BACKOFF = 60;
  var $ = function (id) { return document.getElementById(id); };
  var busy = false, backoff = 1, retryTimer = null, keys = null, authLost = false;

  function fmt(text, params) {
    return text.replace(/%\((\w+)\)s/g, function (_, k) {
      return params && params[k] !== undefined ? params[k] : "";
    });
  }

  function fresh() { return { venue: null, yellow: {}, queue: [], recent: [], refused: [] }; }

  function load() {
    try { return Object.assign(fresh(), JSON.parse(localStorage.getItem(KEY)) || {}); }
    catch (e) { return fresh(); }
  }

  var st = load();

  function save() { localStorage.setItem(KEY, JSON.stringify(st)); }

  function randomKey(bytes) {
    var raw = new Uint8Array(bytes);
    crypto.getRandomValues(raw);
    return Array.prototype.map.call(raw, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function deviceId() {
    var id = localStorage.getItem("fk.gate.device");
    if (!id) { id = "gate-" + randomKey(6); localStorage.setItem("fk.gate.device", id); }
    return id;
  }

  function venueKnown(id) {
    return cfg.venues.some(function (v) { return v.id === id; });
  }

  function clock(epochSeconds) {
    var d = new Date(epochSeconds * 1000);
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  // ------------------------------------------------------------------ decision (pure)

  /* The door's answer for a verified token: PASS, CHECK (yellow: restricted) or STOP.
     Red code: no entry; yellow: restricted (admitted only where the venue says so);
     green: pass. A fever or a pop-up stops; an invalid code stops with its reason. */
  function decide(v, temperature, admitsYellow, feverC) {
    var colour = v.valid || v.reason === "expired" || v.reason === "not_yet_valid" ? (v.colour || "") : "";
    if (!v.valid) { return { result: "stop", show: "stop", reason: cfg.reasons[v.reason] ? v.reason : "malformed", colour: colour }; }
    if (colour === "red") { return { result: "stop", show: "stop", reason: "red", colour: colour }; }
    if (feverC !== null && temperature !== null && temperature >= feverC) {
      return { result: "stop", show: "stop", reason: "fever", colour: colour };
    }
    if (v.flags && v.flags.length) { return { result: "stop", show: "stop", reason: "popup", colour: colour }; }
    if (colour === "yellow") {
      return admitsYellow ? { result: "pass", show: "check", reason: "restricted_admitted", colour: colour }
                          : { result: "stop", show: "check", reason: "restricted", colour: colour };
    }
    return { result: "pass", show: "go", reason: "green", colour: colour };
  }

  function detail(v, d, temperature) {
    var parts = [];
    if (d.reason === "fever") { parts.push(fmt(S.fever, { t: temperature.toFixed(1), limit: cfg.fever_c })); }
    else if (temperature !== null) { parts.push(fmt(S.temperature, { t: temperature.toFixed(1) })); }
    if (v.flags && v.flags.length) {
      parts.push(v.flags.map(function (f) { return S["flag." + f] || f; }).join(", "));
    }
    if (v.valid && v.expiresAt) { parts.push(fmt(S.valid_until, { at: clock(v.expiresAt) })); }
    return parts.join(" · ");
  }

  // ------------------------------------------------------------------ display

  function show(d, v, temperature) {
    var box = $("verdict");
    box.className = "verdict " + d.show;
    box.dataset.result = d.result;
    box.dataset.reason = d.reason;
    $("verdict-word").textContent = S[d.show === "go" ? "pass" : d.show];
    $("verdict-reason").textContent = cfg.reasons[d.reason] || d.reason;
    $("verdict-detail").textContent = detail(v, d, temperature);
    box.hidden = false;
    box.dataset.said = String(Number(box.dataset.said || 0) + 1);
    if (navigator.vibrate && d.show !== "go") { navigator.vibrate([200, 100, 200]); }
  }

  function message(text) {
    var box = $("message");
    box.textContent = text || "";
    box.hidden = !text;
  }

  function renderKeys() {
    var count = keys ? (keys.document.keys || []).length : 0;
    var at = keys ? new Date(keys.fetchedAt).toLocaleString() : "";
    $("keys").textContent = !keys ? S.keys_none
      : fmt(keys.source === "network" ? S.keys_loaded : S.keys_cached, { n: count, at: at });
  }

  function render() {
    var online = navigator.onLine;
    $("net").textContent = online ? S.online : S.offline;
    $("net").className = "pill" + (online ? "" : " off");
    var waiting = st.queue.length;
    $("queued").dataset.count = String(waiting);
    $("queued").textContent = busy ? S.uploading : waiting ? fmt(S.queued, { n: waiting }) : S.all_sent;
    $("queued").className = "pill quiet" + (waiting ? " waiting" : "");
    $("venue").value = st.venue ? String(st.venue) : "";
    $("admits-yellow").checked = !!(st.venue && st.yellow[st.venue]);
    var list = $("recent");
    list.textContent = "";
    st.recent.forEach(function (r) {
      var li = document.createElement("li");
      li.className = r.show;
      li.textContent = r.time + " " + S[r.show === "go" ? "pass" : r.show] + " · " + (cfg.reasons[r.reason] || r.reason);
      list.appendChild(li);
    });
    $("refused-box").hidden = !st.refused.length;
    $("refused-title").textContent = fmt(S.refused, { n: st.refused.length });
    $("refused").textContent = "";
    st.refused.slice(-20).forEach(function (r) {
      var li = document.createElement("li");
      li.textContent = r.scanned_at + " · " + r.field + ": " + r.message;
      $("refused").appendChild(li);
    });
  }

  function fillVenues() {
    cfg.venues.forEach(function (v) {
      var option = document.createElement("option");
      option.value = String(v.id);
      option.textContent = v.name + " (" + v.code + ")";
      $("venue").appendChild(option);
    });
    if (st.venue && !venueKnown(st.venue)) { st.venue = null; save(); }
  }

  // ------------------------------------------------------------------ scanning

  function readTemperature() {
    var raw = $("temperature").value.replace(",", ".").trim();
    if (!raw) { return null; }
    var t = Number(raw);
    return isFinite(t) && t >= 30 && t <= 45 ? Math.round(t * 10) / 10 : NaN;
  }

  async function scan(token) {
    if (!st.venue) { message(S.choose_venue); $("venue").focus(); return; }
    var temperature = readTemperature();
    if (Number.isNaN(temperature)) { message(S.bad_temperature); $("temperature").focus(); return; }
    message("");
    var v = keys ? await FangkongCode.verify(token, { keys: keys.document })
                 : { valid: false, reason: "no_keys", flags: [] };
    var d = decide(v, temperature, !!st.yellow[st.venue], cfg.fever_c);
    var now = new Date();
    st.queue.push({ venue: st.venue, client_key: randomKey(16), scanned_at: now.toISOString(),
                    pseudonym: v.valid ? v.pseudonym : "", colour: d.colour, result: d.result,
                    reason: d.reason, temperature: temperature });
    st.recent.unshift({ time: now.toTimeString().slice(0, 8), show: d.show, reason: d.reason });
    st.recent = st.recent.slice(0, RECENT);
    save();
    show(d, v, temperature);
    $("temperature").value = "";
    render();
    upload();
  }

  // ------------------------------------------------------------------ upload

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : cfg.csrf;
  }

  function later(seconds) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(upload, Math.max(seconds, backoff) * 1000);
    backoff = Math.min(backoff * 2, MAX_BACKOFF);
  }

  function nextBatch() {
    var venue = st.queue[0].venue;
    return st.queue.filter(function (e) { return e.venue === venue; }).slice(0, BATCH);
  }

  function settle(batch, answer) {
    var sent = {};
    batch.forEach(function (e) { sent[e.client_key] = true; });
    (answer.errors || []).forEach(function (err) {
      var e = batch[err.index] || {};
      st.refused.push({ scanned_at: e.scanned_at || "", field: err.field, message: err.message });
    });
    st.refused = st.refused.slice(-200);
    st.queue = st.queue.filter(function (e) { return !sent[e.client_key]; });
    save();
  }

  async function send(batch) {
    var events = batch.map(function (e) {
      return { client_key: e.client_key, scanned_at: e.scanned_at, pseudonym: e.pseudonym,
               colour: e.colour, result: e.result, reason: e.reason, temperature: e.temperature };
    });
    return fetch(cfg.api, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ device: deviceId(), venue_id: batch[0].venue, events: events })
    });
  }

  async function upload() {
    if (busy || !st.queue.length) { render(); return; }
    if (!navigator.onLine) { render(); later(backoff); return; }
    busy = true;
    render();
    var batch = nextBatch(), response = null;
    try { response = await send(batch); } catch (e) { response = null; }
    busy = false;
    handle(batch, response);
  }

  async function handle(batch, response) {
    if (response && response.ok) {
      settle(batch, await response.json());
      backoff = 1;
      authLost = false;
      message("");
      render();
      if (st.queue.length) { upload(); }
      return;
    }
    var status = response ? response.status : 0;
    if (status === 404 || status === 422) {  // the venue left this user's area, or a bad batch
      var body = await response.json().catch(function () { return {}; });
      settle(batch, { errors: batch.map(function (e, i) { return { index: i, field: body.field || "venue_id", message: body.detail || String(status) }; }) });
      render();
      if (st.queue.length) { upload(); }
      return;
    }
    if (status === 401 || status === 403) { authLost = true; message(S.login); }
    else if (status === 503 || status === 429) { message(S.busy); }
    var wait = Number(response && response.headers.get("Retry-After")) || backoff;
    render();
    later(wait);
  }

  // ------------------------------------------------------------------ keys and offline

  async function refreshKeys() {
    var loaded = await FangkongCode.loadKeys(cfg.keys);
    if (loaded) { keys = loaded; }
    else if (!keys) { var cached = FangkongCode.cachedKeys(); if (cached) { keys = Object.assign({ source: "cache" }, cached); } }
    renderKeys();
  }

  function registerWorker() {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.register(cfg.sw, { scope: cfg.scope }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) {
        if (event.data && event.data.cached) {
          $("offline-ready").textContent = S.offline_ready;
          $("offline-ready").hidden = false;
          $("gate").dataset.offlineReady = "1";
        }
      };
      reg.active.postMessage({ type: "cache", urls: cfg.assets.concat([cfg.keys]) }, [channel.port2]);
    }).catch(function () { /* no offline copy; the page still works while it stays open */ });
  }

  // ------------------------------------------------------------------ wiring

  fillVenues();
  $("venue").addEventListener("change", function () {
    st.venue = Number($("venue").value) || null;
    save();
    render();
    $("token").focus();
  });
  $("admits-yellow").addEventListener("change", function () {
    if (st.venue) { st.yellow[st.venue] = $("admits-yellow").checked; save(); }
  });
  $("scan-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var token = $("token").value.replace(/\s+/g, "");
    $("token").value = "";
    if (token) { scan(token); }
    $("token").focus();
  });
  $("upload").addEventListener("click", function () { backoff = 1; upload(); });
  window.addEventListener("online", function () { backoff = 1; refreshKeys(); upload(); });
  window.addEventListener("offline", render);
  setInterval(function () { if (navigator.onLine) { refreshKeys(); } }, 10 * 60 * 1000);

  window.FangkongGate = { decide: decide, upload: upload };  // for tests and kiosks
  render();
  refreshKeys().then(upload);
  registerWorker();
  $("token").focus();
})();
