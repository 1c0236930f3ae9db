/* The sampler's phone: open a tube, scan residents into it, seal it. Every event is kept
   in localStorage first; a sealed tube becomes a batch with a client key made here, queued
   and uploaded when the network is there (the server stores a batch once however often it
   is sent, so a lost answer is simply sent again). Offline, the phone checks what it can:
   the ID check digit, the same person twice on this phone, a full tube, a tube not in the
   site's downloaded list. Online, each scan is also looked up (masked) before the swab. */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("sampler-config").textContent);
  var S = cfg.strings;
  var KEY = "fk.sampler.v1." + cfg.user;
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECKS = "10X98765432";
  var ACCEPTED = { ok: true, visitor_registered: true };
  var $ = function (id) { return document.getElementById(id); };
  var busy = false, backoff = 1, retryTimer = null;

  function fmt(text, params) {
    return text.replace(/%\((\w+)\)s/g, function (_, k) {
      return params && params[k] !== undefined ? params[k] : "";
    }).replace(/^\s+/, "");
  }

  function fresh() {
    return { site: null, tubes: {}, current: null, queue: [], seen: {}, fix: [], log: [] };
  }

  function load() {
    try { return Object.assign(fresh(), JSON.parse(localStorage.getItem(KEY)) || {}); }
    catch (e) { return fresh(); }
  }

  var st = load();

  function save() { localStorage.setItem(KEY, JSON.stringify(st)); }

  function randomKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);  // works on plain http too, unlike randomUUID
    return Array.prototype.map.call(bytes, function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  function deviceId() {
    var id = localStorage.getItem("fk.sampler.device");
    if (!id) { id = "web-" + randomKey().slice(0, 12); localStorage.setItem("fk.sampler.device", id); }
    return id;
  }

  function normalise(raw) { return raw.replace(/\s+/g, "").toUpperCase(); }

  function validId(n) {
    if (!/^\d{17}[\dX]$/.test(n)) { return false; }
    var sum = 0;
    for (var i = 0; i < 17; i++) { sum += Number(n[i]) * WEIGHTS[i]; }
    return CHECKS[sum % 11] === n[17];
  }

  function mask(n) { return n.length <= 7 ? "*".repeat(n.length) : n.slice(0, 3) + "*".repeat(n.length - 7) + n.slice(-4); }

  function maskName(name) {
    if (name.length <= 1) { return name; }
    return name.length === 2 ? name[0] + "*" : name[0] + "*".repeat(name.length - 2) + name.slice(-1);
  }

  function site() {
    for (var i = 0; i < cfg.sites.length; i++) { if (cfg.sites[i].id === st.site) { return cfg.sites[i]; } }
    return null;
  }

  function now() { return new Date().toISOString(); }

  // ------------------------------------------------------------------ answers and display

  function say(text, kind) {
    var box = $("answer");
    box.textContent = text;
    box.className = "answer " + (kind || "ok");
    box.hidden = false;
    box.dataset.said = String(Number(box.dataset.said || 0) + 1);
    log(text);
  }

  function render() {
    var online = navigator.onLine;
    $("net").textContent = online ? S.online : S.offline;
    $("net").className = "pill" + (online ? "" : " off");
    $("queue").textContent = st.queue.length ? fmt(S.waiting, { n: st.queue.length }) : S.all_sent;
    $("site").value = st.site ? String(st.site) : "";
    var c = st.current;
    $("current").hidden = !c;
    $("members").textContent = "";
    if (c) {
      var count = c.start + c.members.length;
      $("current-code").textContent = c.tube;
      $("counter").textContent = count + "/" + c.capacity;
      $("counter").className = "counter" + (count >= c.capacity ? " full" : "");
      c.members.forEach(function (m) {
        var li = document.createElement("li");
        li.textContent = (m.name ? m.name + " " : "") + m.id;
        $("members").appendChild(li);
      });
    }
    renderFix();
    $("log").textContent = "";
    st.log.forEach(function (line) {
      var li = document.createElement("li");
      li.textContent = line;
      $("log").appendChild(li);
    });
  }

  function renderFix() {
    var list = $("fix");
    list.textContent = "";
    if (!st.fix.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = S.none_to_fix;
      list.appendChild(none);
    }
    st.fix.forEach(function (item, n) {
      var li = document.createElement("li");
      li.dataset.code = item.code || "";
      var text = document.createElement("span");
      text.textContent = (item.tube ? item.tube + ": " : "") + item.message;
      var done = document.createElement("button");
      done.type = "button";
      done.className = "small";
      done.textContent = S.dismiss;
      done.addEventListener("click", function () { st.fix.splice(n, 1); save(); render(); });
      li.appendChild(text);
      if (item.batch) {
        var again = document.createElement("button");
        again.type = "button";
        again.className = "small primary";
        again.textContent = S.send_again;
        again.addEventListener("click", function () {
          st.fix.splice(n, 1);
          st.queue.push(item.batch);
          save();
          uploadNow();
        });
        li.appendChild(again);
      }
      li.appendChild(done);
      list.appendChild(li);
    });
  }

  // ------------------------------------------------------------------ talking to the server

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; }
    catch (e) { return ""; }
  }

  function call(path, options) {
    var abort = new AbortController();
    var timer = setTimeout(function () { abort.abort(); }, 8000);
    var opts = Object.assign({ credentials: "same-origin", signal: abort.signal }, options || {});
    opts.headers = Object.assign({ "Accept": "application/json", "X-CSRFToken": csrf() },
                                 opts.body ? { "Content-Type": "application/json" } : {});
    return fetch(cfg.api + path, opts).finally(function () { clearTimeout(timer); });
  }

  function loadTubes() {
    if (!st.site || !navigator.onLine) { return Promise.resolve(); }
    return call("/sites/" + st.site + "/tubes").then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    }).then(function (data) {
      var sealed = {};
      Object.keys(st.tubes).forEach(function (code) {
        if (st.tubes[code].status === "sealed") { sealed[code] = true; }
      });
      st.tubes = {};
      data.tubes.forEach(function (t) {
        if (sealed[t.code]) { t.status = "sealed"; }
        st.tubes[t.code] = t;
      });
      save();
      $("tube-card").dataset.tubes = String(data.tubes.length);
      log(fmt(S.tubes_loaded, { n: data.tubes.length }));
    }).catch(function () { log(S.tubes_failed); });
  }

  function log(text) {
    st.log.unshift(new Date().toLocaleTimeString().slice(0, 5) + " " + text);
    st.log = st.log.slice(0, 30);
    save();
    render();
  }

  function lookup(number) {
    if (!navigator.onLine) { return Promise.resolve(null); }
    var query = "?site=" + st.site + "&id_number=" + encodeURIComponent(number);
    return call("/lookup" + query).then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
  }

  function retryLater() {
    clearTimeout(retryTimer);
    retryTimer = null;
    if (!navigator.onLine) { return; }  // the "online" event resumes the upload
    backoff = Math.min(backoff * 2, 60);
    log(fmt(S.retry, { s: backoff }));
    retryTimer = setTimeout(function () { retryTimer = null; upload(); }, backoff * 1000);
  }

  function upload() {
    if (busy || !st.queue.length) { render(); return Promise.resolve(); }
    busy = true;
    var batch = st.queue[0];
    return call("/batches", { method: "POST", body: JSON.stringify(batch) }).then(function (r) {
      if (r.ok) { return r.json().then(function (answer) { stored(batch, answer); return true; }); }
      if (r.status === 401 || r.status === 403) { say(S.login_again, "warn"); return false; }
      if (r.status >= 500) { return false; }
      return r.json().catch(function () { return {}; }).then(function (body) {
        refused(batch, body.detail || String(r.status));
        return true;
      });
    }).catch(function () { return false; }).then(function (goOn) {
      busy = false;
      if (goOn) { backoff = 1; return upload(); }
      retryLater();
    });
  }

  function stored(batch, answer) {
    st.queue = st.queue.filter(function (b) { return b.client_key !== batch.client_key; });
    answer.items.forEach(function (item) {
      if (!ACCEPTED[item.code]) { st.fix.push({ tube: item.tube, message: item.message, code: item.code }); }
    });
    var people = answer.items.filter(function (i) { return i.type === "scan" && ACCEPTED[i.code]; }).length;
    var text = fmt(S.uploaded, { people: people, rejected: answer.rejected });
    save();
    say(answer.resent ? text + " " + S.resent : text, answer.rejected ? "warn" : "ok");
  }

  function refused(batch, detail) {
    // The whole batch cannot be stored (e.g. the round is not open): keep it for a person.
    st.queue = st.queue.filter(function (b) { return b.client_key !== batch.client_key; });
    st.fix.push({ tube: batch.events.length ? batch.events[0].tube : "",
                  message: fmt(S.batch_refused, { detail: detail }), code: "batch", batch: batch });
    save();
    say(fmt(S.batch_refused, { detail: detail }), "bad");
  }

  // ------------------------------------------------------------------ the table

  function openTube(raw) {
    var code = raw.trim();
    if (!code) { return say(S.no_tube, "bad"); }
    if (!st.site) { return say(S.pick_site, "bad"); }
    if (st.current) {
      if (st.current.tube === code) { return; }
      return say(fmt(S.seal_first, { tube: st.current.tube }), "bad");
    }
    var tube = st.tubes[code];
    if (!tube) { return say(fmt(S.unknown_tube, { tube: code }), "bad"); }
    if (tube.status !== "issued" && tube.status !== "open") { return say(fmt(S.tube_sealed, { tube: code }), "bad"); }
    st.current = { tube: code, capacity: tube.capacity, kind: tube.kind, start: tube.members,
                   members: [], key: randomKey(), events: [{ type: "open", tube: code, at: now() }] };
    $("tube").value = "";
    say(fmt(S.tube_opened, { tube: code }), "ok");
    $("id_number").focus();
  }

  function localProblem(c, n) {
    if (c.start + c.members.length >= c.capacity) { return fmt(S.tube_full, { tube: c.tube, capacity: c.capacity }); }
    if (!validId(n)) { return fmt(S.bad_id, { id: mask(n) || "—" }); }
    var seen = st.seen[c.kind + ":" + site().campaign] || {};
    if (seen[n]) { return fmt(S.twice_here, { id: mask(n), tube: seen[n] }); }
    return null;
  }

  function serverProblem(c, n, info, visitorName) {
    var p = { id: mask(n), name: info.name };
    if (c.kind !== "retest" && info.already_sampled) { return [fmt(S.already_sampled, p), "bad"]; }
    if (c.kind !== "retest" && info.single_tube && c.capacity > 1) { return [fmt(S.single_tube, p), "bad"]; }
    if (c.kind === "retest" && !info.on_hold) { return [fmt(S.not_on_hold, p), "bad"]; }
    if (!info.known && !visitorName) { $("visitor").open = true; return [fmt(S.visitor_needed, p), "warn"]; }
    return null;
  }

  function addPerson(raw) {
    var c = st.current;
    if (!c) { return say(S.no_tube, "bad"); }
    var n = normalise(raw);
    var problem = localProblem(c, n);
    if (problem) { return say(problem, "bad"); }
    var name = $("visitor_name").value.trim(), phone = $("visitor_phone").value.trim();
    return lookup(n).then(function (info) {
      if (st.current !== c) { return; }
      var refusal = info ? serverProblem(c, n, info, name) : null;
      if (refusal) {
        if (refusal[1] === "warn") { $("visitor_name").focus(); }
        return say(refusal[0], refusal[1]);
      }
      c.events.push({ type: "scan", tube: c.tube, at: now(), id_number: n, name: name, phone: phone });
      var shown = info && info.known ? info.name : maskName(name);
      c.members.push({ id: mask(n), name: shown });
      var seenKey = c.kind + ":" + site().campaign;
      st.seen[seenKey] = st.seen[seenKey] || {};
      st.seen[seenKey][n] = c.tube;
      $("id_number").value = $("visitor_name").value = $("visitor_phone").value = "";
      $("visitor").open = false;
      var said = !info ? S.added_offline : (info.known ? S.added : S.added_visitor);
      say(fmt(said, { id: mask(n), name: shown }), "ok");
      $("id_number").focus();
    });
  }

  function seal() {
    var c = st.current;
    if (!c) { return say(S.no_tube, "bad"); }
    if (c.start + c.members.length === 0) { return say(fmt(S.empty, { tube: c.tube }), "bad"); }
    c.events.push({ type: "seal", tube: c.tube, at: now() });
    st.queue.push({ client_key: c.key, campaign: site().campaign, site: st.site, device: deviceId(),
                    events: c.events });
    if (st.tubes[c.tube]) { st.tubes[c.tube].status = "sealed"; }
    st.current = null;
    say(fmt(S.sealed, { tube: c.tube, n: c.start + c.members.length }), "ok");
    $("tube").focus();
    return upload();
  }

  function pickSite(value) {
    if (st.current) {
      $("site").value = String(st.site);
      return say(fmt(S.seal_first, { tube: st.current.tube }), "bad");
    }
    st.site = value ? Number(value) : null;
    st.tubes = {};
    save();
    render();
    return loadTubes();
  }

  // ------------------------------------------------------------------ wiring

  cfg.sites.forEach(function (s) {
    var option = document.createElement("option");
    option.value = String(s.id);
    option.textContent = s.code + " · " + s.name + " (" + s.campaign_name + ")";
    $("site").appendChild(option);
  });
  if (st.site && !site()) { st.site = null; }
  $("site").addEventListener("change", function (e) { pickSite(e.target.value); });
  $("refresh").addEventListener("click", loadTubes);
  $("tube-form").addEventListener("submit", function (e) { e.preventDefault(); openTube($("tube").value); });
  $("person-form").addEventListener("submit", function (e) { e.preventDefault(); addPerson($("id_number").value); });
  $("seal").addEventListener("click", seal);
  function uploadNow() {
    clearTimeout(retryTimer);
    retryTimer = null;
    backoff = 1;
    return upload();
  }

  $("upload").addEventListener("click", uploadNow);
  window.addEventListener("online", function () { render(); uploadNow().then(loadTubes); });
  window.addEventListener("offline", render);
  setInterval(function () { if (navigator.onLine && st.queue.length && !retryTimer) { upload(); } }, 30000);
  render();
  loadTubes().then(upload);
  document.documentElement.dataset.samplerReady = "1";
})();
