/* Fangkong health-code verifier for the browser: decode an FK1 token and check its Ed25519
 * signature and expiry with WebCrypto, against public keys cached in localStorage, so a gate
 * verifies with no network once it has fetched the keys. The format is documented in
 * src/fangkong/healthcode/tokens.py; this file mirrors it (change both together).
 *
 *   const keys = await FangkongCode.loadKeys("/public/healthcode/keys.json");  // or cache
 *   const r = await FangkongCode.verify(token, {keys: keys.document});
 *   // r.valid, r.reason ("" | malformed | unknown_key | bad_signature | expired |
 *   //   not_yet_valid | unsupported), r.colour, r.flags, r.pseudonym, r.expiresAt (epoch s)
 *
 * Everything but loadKeys is pure and needs no network. WebCrypto needs a secure context
 * (https, or http on localhost): elsewhere verify answers "unsupported".
 */
(function (global) {
  "use strict";

  var PREFIX = "FK1";
  var VERSION = 1;
  var SIGNATURE_BYTES = 64;
  var MAX_TOKEN_CHARS = 512;
  var DEFAULT_SKEW = 60;
  var COLOURS = ["green", "yellow", "red"];
  var POPUPS = ["risk_link", "pool_hold", "test_missing"];
  var REASONS = ["malformed", "unknown_key", "bad_signature", "expired", "not_yet_valid",
                 "unsupported"];
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  var SAFE_TEXT = /^[A-Za-z0-9_-]{1,64}$/;
  var STORAGE_KEY = "fangkong.healthcode.keys";
  var imported = new Map();  // kid + public key -> CryptoKey

  /* RFC 4648 base32 without padding; null unless canonical (unused bits zero), so no two
   * texts decode to the same bytes. */
  function base32Decode(text) {
    var bits = 0, value = 0, out = [];
    for (var i = 0; i < text.length; i++) {
      var v = ALPHABET.indexOf(text.charAt(i));
      if (v < 0) return null;
      value = (value << 5) | v;
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        out.push((value >>> bits) & 0xff);
      }
      value &= (1 << bits) - 1;
    }
    if (bits >= 5 || value !== 0) return null;
    return new Uint8Array(out);
  }

  function base64UrlDecode(text) {
    var b64 = String(text).replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var bin = atob(b64), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function takeText(raw, at) {
    if (at >= raw.length) return null;
    var size = raw[at], end = at + 1 + size;
    if (end > raw.length) return null;
    var text = String.fromCharCode.apply(null, raw.subarray(at + 1, end));
    return SAFE_TEXT.test(text) ? {text: text, next: end} : null;
  }

  function uint32(raw, at) {
    return ((raw[at] << 24) >>> 0) + (raw[at + 1] << 16) + (raw[at + 2] << 8) + raw[at + 3];
  }

  function bitsToFlags(bits) {
    if (bits >> POPUPS.length) return null;
    return POPUPS.filter(function (_, i) { return bits & (1 << i); });
  }

  var MALFORMED = {ok: false, reason: "malformed"};

  /* The payload, the signed bytes and the signature of a token, or {ok: false}. */
  function decode(token) {
    if (typeof token !== "string") return MALFORMED;
    var body = token.trim().toUpperCase();
    if (body.indexOf(PREFIX) !== 0 || body.length > MAX_TOKEN_CHARS) return MALFORMED;
    var raw = base32Decode(body.slice(PREFIX.length));
    if (!raw || raw.length < SIGNATURE_BYTES + 13 || raw[0] !== VERSION) return MALFORMED;
    var data = raw.subarray(0, raw.length - SIGNATURE_BYTES);
    var signature = raw.subarray(raw.length - SIGNATURE_BYTES);
    var kid = takeText(data, 1);
    var pseudonym = kid && takeText(data, kid.next);
    if (!pseudonym || data.length !== pseudonym.next + 10) return MALFORMED;
    var at = pseudonym.next, colour = data[at], flags = bitsToFlags(data[at + 1]);
    var issued = uint32(data, at + 2), expires = uint32(data, at + 6);
    if (colour >= COLOURS.length || flags === null || expires <= issued) return MALFORMED;
    return {ok: true, data: data, signature: signature, payload: {
      version: VERSION, kid: kid.text, pseudonym: pseudonym.text, colour: COLOURS[colour],
      flags: flags, issuedAt: issued, expiresAt: expires}};
  }

  function seconds(value) {
    return value === null || value === undefined || value === "" ? null
      : Math.floor(Date.parse(value) / 1000);
  }

  /* The published keys document -> {kid: {raw, validFrom, retiredAt}} (bad rows skipped). */
  function parseKeys(doc) {
    var keys = {};
    ((doc && doc.keys) || []).forEach(function (row) {
      if ((row.algorithm || "Ed25519") !== "Ed25519") return;
      try {
        var raw = base64UrlDecode(row.public_key);
        if (raw.length !== 32) return;
        keys[row.kid] = {kid: row.kid, publicKey: row.public_key, raw: raw,
                         validFrom: seconds(row.valid_from), retiredAt: seconds(row.retired_at)};
      } catch (e) { /* a bad row verifies nothing */ }
    });
    return keys;
  }

  function supported() {
    return !!(global.crypto && global.crypto.subtle);
  }

  function cryptoKey(key) {
    var id = key.kid + ":" + key.publicKey;
    if (!imported.has(id)) {
      imported.set(id, global.crypto.subtle.importKey("raw", key.raw, {name: "Ed25519"},
                                                      false, ["verify"]));
    }
    return imported.get(id);
  }

  function answer(valid, reason, payload) {
    var p = payload || {};
    return {valid: valid, reason: reason, colour: p.colour || null, flags: p.flags || [],
            pseudonym: p.pseudonym || null, kid: p.kid || null,
            issuedAt: p.issuedAt || null, expiresAt: p.expiresAt || null};
  }

  function inSpan(key, issued, skew) {
    return (key.validFrom === null || issued >= key.validFrom - skew) &&
           (key.retiredAt === null || issued <= key.retiredAt);
  }

  /* Verify offline. options.keys: the keys document (or parseKeys' result);
   * options.now: a Date or epoch milliseconds (default: now). Never rejects. */
  async function verify(token, options) {
    var opts = options || {};
    var doc = opts.keys || {};
    var keys = doc.keys ? parseKeys(doc) : doc;
    var skew = typeof doc.clock_skew_seconds === "number" ? doc.clock_skew_seconds : DEFAULT_SKEW;
    var decoded = decode(token);
    if (!decoded.ok) return answer(false, "malformed");
    var p = decoded.payload, key = keys[p.kid];
    if (!key) return answer(false, "unknown_key");
    if (!supported()) return answer(false, "unsupported");
    var good;
    try {
      good = await global.crypto.subtle.verify({name: "Ed25519"}, await cryptoKey(key),
                                                decoded.signature, decoded.data);
    } catch (e) {
      return answer(false, "unsupported");
    }
    if (!good) return answer(false, "bad_signature");
    if (!inSpan(key, p.issuedAt, skew)) return answer(false, "unknown_key");
    var now = Math.floor((opts.now === undefined ? Date.now() : +opts.now) / 1000);
    if (p.issuedAt > now + skew) return answer(false, "not_yet_valid", p);
    if (now >= p.expiresAt) return answer(false, "expired", p);
    return answer(true, "", p);
  }

  function cachedKeys() {
    try {
      var stored = JSON.parse(global.localStorage.getItem(STORAGE_KEY) || "null");
      return stored && stored.document ? stored : null;
    } catch (e) {
      return null;
    }
  }

  function storeKeys(doc) {
    var entry = {document: doc, fetchedAt: Date.now()};
    try { global.localStorage.setItem(STORAGE_KEY, JSON.stringify(entry)); } catch (e) { /* full */ }
    return entry;
  }

  /* Fetch the published keys and cache them; offline (or on any failure) answer the cached
   * copy, source "cache"; null when there is none. */
  async function loadKeys(url, options) {
    var timeoutMs = (options && options.timeoutMs) || 5000;
    var controller = global.AbortController ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, timeoutMs);
    try {
      var response = await fetch(url, {cache: "no-cache", credentials: "omit",
                                       signal: controller ? controller.signal : undefined});
      if (!response.ok) throw new Error("HTTP " + response.status);
      var doc = await response.json();
      if (!doc || !Array.isArray(doc.keys)) throw new Error("not a keys document");
      var entry = storeKeys(doc);
      return {document: doc, fetchedAt: entry.fetchedAt, source: "network"};
    } catch (e) {
      var cached = cachedKeys();
      return cached ? {document: cached.document, fetchedAt: cached.fetchedAt, source: "cache"}
                    : null;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  global.FangkongCode = Object.freeze({
    PREFIX: PREFIX, VERSION: VERSION, COLOURS: COLOURS, POPUPS: POPUPS, REASONS: REASONS,
    STORAGE_KEY: STORAGE_KEY, base32Decode: base32Decode, decode: decode,
    parseKeys: parseKeys, verify: verify, supported: supported, cachedKeys: cachedKeys,
    storeKeys: storeKeys, loadKeys: loadKeys
  });
})(window);
