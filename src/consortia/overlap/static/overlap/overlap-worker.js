/* Overlap discovery, the browser's side of the protocol (a Web Worker).
 *
 * The same steps as consortia/overlap/keys.py and protocol.py, with libsodium.js (vendored
 * under static/vendor/libsodium/): reading the CSV, normalizing keys, hashing them to
 * ristretto255, blinding, double-blinding, and opening the records a partner shared. The run's
 * two secret scalars live only in this worker's memory: a reload forgets them.
 *
 * As in protocol.py, an element travels as the X25519 coordinate u = s² of its ristretto255
 * encoding s, and every exponentiation is X25519 (libsodium's crypto_scalarmult): the same bytes
 * as the CLI's OpenSSL. Field and scalar arithmetic on BigInt.
 */
"use strict";

// Not named `sodium`: a top-level var of a classic worker is a global, and libsodium-wrappers
// reads the global `sodium` (an options object) when it loads.
var na = null;
var psl = null; // {normal: Set, wild: Set, exception: Set}
var run = null; // {dst, match, record, mine: {popId: {keys: [...], fields: {key: {...}}}}}

// The protocol's version (protocol.PROTOCOL on the server): the page sends it with every step of
// a run, and a run of another version refuses it with a sentence.
var PROTOCOL = 2;
var VERSION = "consortia-overlap-v" + PROTOCOL;
var FIELD = (1n << 255n) - 19n; // Curve25519's prime
var ORDER = (1n << 252n) + 27742317777372353535851937790883648493n; // ristretto255's order
var POINT = 32, TAG = 16, PLAIN = 256, STRIDE = 16 + 256 + 16;
var FIELD_COLUMNS = ["name", "owner", "stage"];
var FIELD_MAX = 80;
var SPACE = "[ \\t\\r\\n\\f\\v\\u00a0\\u2000-\\u200b\\u202f\\u205f\\u3000\\ufeff]";
var TRIM = new RegExp("^" + SPACE + "+|" + SPACE + "+$", "g");
var HOST = /^[a-z0-9\u0080-\uffff.-]+$/;
var LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
var LETTER = /[a-z\u0080-\uffff]/;
var PORT = /:\d*$/;
var encoder = new TextEncoder();

// A Content-Security-Policy without 'wasm-unsafe-eval' makes libsodium fall back to its much
// slower asm.js build: such violations are reported to the page.
var violations = [];
self.addEventListener("securitypolicyviolation", function (event) {
  violations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline code"));
});

function post(message) { self.postMessage(message); }
function progress(label, done, total) { post({ type: "progress", label: label, done: done, total: total }); }

// Keys ------------------------------------------------------------------------------------------

function loadRules(rules) {
  psl = { normal: new Set(), wild: new Set(), exception: new Set() };
  rules.forEach(function (rule) {
    if (rule.charAt(0) === "!") psl.exception.add(rule.slice(1));
    else if (rule.indexOf("*.") === 0) psl.wild.add(rule.slice(2));
    else psl.normal.add(rule);
  });
}

// How many labels the public suffix of `labels` has (ICANN rules; unknown TLDs: one label).
function suffixLength(labels) {
  var n = labels.length, best = 1;
  for (var i = 0; i < n; i++) {
    var candidate = labels.slice(i).join(".");
    if (psl.exception.has(candidate)) return n - i - 1;
    var length = n - i;
    if (length > best && (psl.normal.has(candidate) ||
        (i + 1 < n && psl.wild.has(labels.slice(i + 1).join("."))))) {
      best = length;
    }
  }
  return best;
}

function punycodeLabel(label) {
  if (/^[\x00-\x7f]*$/.test(label)) return label;
  try { return new URL("http://" + label + "/").hostname; } catch (e) { return null; }
}

function registrableDomain(host) {
  host = host.replace(/^\.+|\.+$/g, "");
  if (!host || host.indexOf("..") >= 0) return null;
  var labels = host.split(".").map(punycodeLabel);
  if (!labels.every(function (l) { return l !== null && LABEL.test(l); })) return null;
  var suffix = suffixLength(labels);
  if (labels.length <= suffix) return null;
  return labels.slice(labels.length - suffix - 1).join(".");
}

function hostOf(lower) {
  var rest, at = lower.indexOf("://");
  if (at >= 0) {
    rest = lower.slice(at + 3).split(/[/?#]/)[0];
    if (rest.indexOf("@") >= 0) rest = rest.slice(rest.lastIndexOf("@") + 1);
    return rest.replace(PORT, "");
  }
  if (lower.indexOf("@") >= 0) {
    return lower.slice(lower.lastIndexOf("@") + 1).split(/[/?#>]/)[0];
  }
  var candidate = lower.split(/[/?#]/)[0].replace(PORT, "");
  if (candidate.replace(/^\.+|\.+$/g, "").indexOf(".") < 0 || !HOST.test(candidate)) return null;
  var trimmed = candidate.replace(/\.+$/, "");
  var last = trimmed.slice(trimmed.lastIndexOf(".") + 1);
  return LETTER.test(last) ? candidate : null;
}

function normalize(value) {
  var lower = value.replace(TRIM, "").toLowerCase();
  if (!lower) return null;
  var host = hostOf(lower);
  if (host !== null) {
    var domain = registrableDomain(host);
    return domain ? "d:" + domain : null;
  }
  var number = lower.replace(/[^0-9a-z]/g, "").toUpperCase();
  return number ? "r:" + number : null;
}

// RFC 4180 CSV (quotes, doubled quotes, CRLF or LF), as Python's csv module reads it.
function parseCsv(text) {
  var rows = [], row = [], cell = "", quoted = false, i = 0, n = text.length, c;
  while (i < n) {
    c = text.charAt(i);
    if (quoted) {
      if (c === '"') {
        if (text.charAt(i + 1) === '"') { cell += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      cell += c; i++; continue;
    }
    if (c === '"' && cell === "") { quoted = true; i++; continue; }
    if (c === ",") { row.push(cell); cell = ""; i++; continue; }
    if (c === "\r" || c === "\n") {
      row.push(cell); rows.push(row); row = []; cell = "";
      if (c === "\r" && text.charAt(i + 1) === "\n") i++;
      i++; continue;
    }
    cell += c; i++;
  }
  if (quoted) throw new Error("The file is not valid CSV: a quoted cell is never closed.");
  if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

function trim(value) { return (value || "").replace(TRIM, ""); }

function readPopulation(bytes, restricted, minimum) {
  var text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (e) {
    throw new Error("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.");
  }
  var rows = parseCsv(text);
  if (!rows.length) throw new Error("The file is empty: it needs a header row with a “key” column.");
  var columns = rows[0].map(function (c) { return trim(c).toLowerCase(); });
  var keyAt = columns.indexOf("key");
  if (keyAt < 0) {
    throw new Error("The file has no “key” column. The first row must name the columns: key, and optionally name, owner, stage.");
  }
  var fieldsAt = {};
  FIELD_COLUMNS.forEach(function (name) { if (columns.indexOf(name) >= 0) fieldsAt[name] = columns.indexOf(name); });
  var out = { records: new Map(), rows: 0, duplicates: 0, restricted: 0, skipped: [], skippedCount: 0 };
  var seen = new Set();
  for (var r = 1; r < rows.length; r++) {
    var row = rows[r];
    if (!row.some(function (cell) { return trim(cell) !== ""; })) continue;
    out.rows++;
    var raw = keyAt < row.length ? row[keyAt] : "";
    var key = normalize(raw);
    if (key === null) {
      out.skippedCount++;
      if (out.skipped.length < 5) {
        out.skipped.push("line " + (r + 1) + ": " + (trim(raw) ? "“" + raw.slice(0, 40) + "” is not a usable key" : "no key"));
      }
      continue;
    }
    if (seen.has(key)) { out.duplicates++; continue; }
    seen.add(key);
    if (restricted && restricted(key)) { out.restricted++; continue; }
    var fields = {};
    Object.keys(fieldsAt).forEach(function (name) {
      var at = fieldsAt[name];
      var value = at < row.length ? trim(row[at]) : "";
      if (value) fields[name] = value.slice(0, FIELD_MAX);
    });
    out.records.set(key, fields);
  }
  var size = out.records.size;
  if (size === 0) throw new Error("The file has no usable key (" + report(out) + ").");
  if (size < minimum) {
    throw new Error("Too few keys: " + size + " distinct key(s) (" + report(out) + "); a run needs at least " + minimum + " per population, so that a partner cannot probe a handful of guessed accounts.");
  }
  return out;
}

function report(p) {
  var parts = [p.records.size.toLocaleString("en") + " distinct keys from " + p.rows.toLocaleString("en") + " rows"];
  if (p.duplicates) parts.push(p.duplicates.toLocaleString("en") + " duplicate(s) counted once");
  if (p.restricted) parts.push(p.restricted.toLocaleString("en") + " restricted account(s) left out");
  if (p.skippedCount) parts.push(p.skippedCount.toLocaleString("en") + " row(s) skipped (" + p.skipped.join("; ") + (p.skippedCount > p.skipped.length ? "…" : "") + ")");
  return parts.join(", ");
}

// Protocol --------------------------------------------------------------------------------------

function concat(a, b) { var out = new Uint8Array(a.length + b.length); out.set(a, 0); out.set(b, a.length); return out; }

function compare(a, b) {
  for (var i = 0; i < a.length; i++) { if (a[i] !== b[i]) return a[i] - b[i]; }
  return 0;
}

function join(parts, size) {
  var out = new Uint8Array(parts.length * size);
  parts.forEach(function (part, i) { out.set(part, i * size); });
  return out;
}

function split(bytes, size) {
  if (bytes.length % size) throw new Error("The partner's data is malformed.");
  var out = [];
  for (var i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

function toBig(bytes) { // little-endian
  var x = 0n;
  for (var i = bytes.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]);
  return x;
}

function fromBig(x) {
  var out = new Uint8Array(POINT);
  for (var i = 0; i < POINT; i++) { out[i] = Number(x & 255n); x >>= 8n; }
  return out;
}

function power(base, exp, mod) {
  var result = 1n;
  base %= mod;
  while (exp > 0n) {
    if (exp & 1n) result = result * base % mod;
    base = base * base % mod;
    exp >>= 1n;
  }
  return result;
}

function hashToGroup(key) {
  var s = toBig(na.crypto_core_ristretto255_from_hash(na.crypto_hash_sha512(concat(run.dst, encoder.encode(key)))));
  return fromBig(s * s % FIELD);
}

function clamped(scalar) {
  var k = Uint8Array.from(scalar);
  k[0] &= 248; k[31] &= 127; k[31] |= 64;
  return toBig(k);
}

// A scalar whose clamped value is 1/scalar mod ORDER, or null when the inverse has no clamped form.
function inverse(scalar) {
  var c = power(clamped(scalar), ORDER - 2n, ORDER);
  var t = ((c - (1n << 254n)) % ORDER + ORDER) * power(8n, ORDER - 2n, ORDER) % ORDER;
  return t < (1n << 251n) ? fromBig((1n << 254n) + 8n * t) : null;
}

function invertibleScalar() {
  for (;;) {
    var scalar = na.randombytes_buf(POINT);
    if (inverse(scalar)) return scalar;
  }
}

function mult(scalar, point) {
  if (point[31] >= 0x7f && toBig(point) >= FIELD) throw new Error("The partner's data is not made of valid group elements.");
  try { return na.crypto_scalarmult(scalar, point); }
  catch (e) { throw new Error("The partner's data is not made of valid group elements."); }
}

var TAG_KEY = encoder.encode(VERSION + " tag");
var SEAL_KEY = encoder.encode(VERSION + " key");
var ZERO_NONCE = new Uint8Array(24);

function encodeFields(fields) {
  var names = Object.keys(fields).filter(function (k) { return fields[k]; }).sort();
  for (var limit = 80; ; limit -= 8) {
    var data = {};
    names.forEach(function (k) { data[k] = fields[k].slice(0, limit); });
    var bytes = encoder.encode(JSON.stringify(data));
    if (bytes.length < PLAIN) return bytes;
  }
}

function pad(bytes) { var out = new Uint8Array(PLAIN); out.set(bytes, 0); out[bytes.length] = 0x80; return out; }

function unpad(bytes) {
  var end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  if (end === 0 || bytes[end - 1] !== 0x80) throw new Error("A payload is malformed.");
  return bytes.subarray(0, end - 1);
}

function seal(element, fields) {
  var key = na.crypto_generichash(32, element, SEAL_KEY);
  var box = na.crypto_secretbox_easy(pad(encodeFields(fields)), ZERO_NONCE, key);
  return concat(na.crypto_generichash(TAG, element, TAG_KEY), box);
}

function openSealed(element, box) {
  var key = na.crypto_generichash(32, element, SEAL_KEY);
  var plain = na.crypto_secretbox_open_easy(box, ZERO_NONCE, key);
  return JSON.parse(new TextDecoder().decode(unpad(plain)));
}

function blind(popId, label, records, share) {
  var keys = Array.from(records.keys()), n = keys.length, step = Math.max(1, Math.floor(n / 100));
  var items = new Array(n), rows = share ? new Array(n) : null;
  for (var i = 0; i < n; i++) {
    var point = hashToGroup(keys[i]);
    items[i] = { element: mult(run.match, point), key: keys[i] };
    if (share) {
      var fields = {}, own = records.get(keys[i]);
      share.forEach(function (name) { if (own[name]) fields[name] = own[name]; });
      rows[i] = seal(mult(run.record, point), fields);
    }
    if (i % step === 0) progress(label, i, n);
  }
  progress(label, n, n);
  items.sort(function (a, b) { return compare(a.element, b.element); });
  run.mine[popId] = { keys: items.map(function (it) { return it.key; }), fields: records };
  var result = { blinded: join(items.map(function (it) { return it.element; }), POINT) };
  if (rows) {
    rows.sort(compare);
    result.payload = join(rows, STRIDE);
  }
  return result;
}

function multiplyAll(scalar, bytes, label, sorted) {
  var points = split(bytes, POINT), n = points.length, step = Math.max(1, Math.floor(n / 100)), out = new Array(n);
  for (var i = 0; i < n; i++) {
    out[i] = mult(scalar, points[i]);
    if (i % step === 0) progress(label, i, n);
  }
  progress(label, n, n);
  if (sorted) out.sort(compare);
  return join(out, POINT);
}

function hexToBytes(hex) { return na.from_hex(hex); }

// Messages --------------------------------------------------------------------------------------

var handlers = {
  init: async function (msg) {
    importScripts.apply(self, msg.libs);
    await self.sodium.ready;
    na = self.sodium;
    loadRules(msg.rules);
    await new Promise(function (resolve) { setTimeout(resolve, 0); }); // let reports arrive
    return { ready: true, protocol: PROTOCOL, violations: violations.slice() };
  },
  normalize: function (msg) {
    return { keys: msg.values.map(normalize) };
  },
  digests: function (msg) {
    var salt = hexToBytes(msg.salt), bad = [];
    var digests = [];
    msg.values.forEach(function (value, i) {
      var key = normalize(value);
      if (key === null) { if (value.replace(TRIM, "")) bad.push(i + 1); return; }
      digests.push(na.to_hex(na.crypto_generichash(32, encoder.encode(key), salt)));
    });
    return { digests: digests, bad: bad };
  },
  prepare: function (msg) {
    // Read and check every file before anything is blinded or sent.
    var restrictedSet = new Set(msg.restricted.digests), salt = hexToBytes(msg.restricted.salt);
    var isRestricted = restrictedSet.size ? function (key) {
      return restrictedSet.has(na.to_hex(na.crypto_generichash(32, encoder.encode(key), salt)));
    } : null;
    run = {
      dst: encoder.encode(VERSION + "|run=" + msg.runId + "|"),
      match: invertibleScalar(),
      record: na.randombytes_buf(POINT),
      mine: {}, read: {}
    };
    var reports = {}, errors = {};
    msg.populations.forEach(function (p) {
      try {
        var population = readPopulation(new Uint8Array(p.bytes), isRestricted, msg.minimum);
        run.read[p.id] = population;
        reports[p.id] = {
          text: report(population), size: population.records.size, rows: population.rows,
          duplicates: population.duplicates, skipped: population.skippedCount, restricted: population.restricted
        };
      } catch (e) { errors[p.id] = e.message; }
    });
    if (Object.keys(errors).length) run = null;
    return { reports: reports, errors: errors };
  },
  blind: function (msg) {
    var out = {}, transfer = [];
    msg.populations.forEach(function (p) {
      var result = blind(p.id, "Blinding " + p.name, run.read[p.id].records, p.level === "records" ? p.fields : null);
      delete run.read[p.id];
      out[p.id] = { blinded: result.blinded.buffer, payload: result.payload ? result.payload.buffer : null };
      transfer.push(result.blinded.buffer);
      if (result.payload) transfer.push(result.payload.buffer);
    });
    return { uploads: out, transfer: transfer };
  },
  double: function (msg) {
    if (!run) throw new Error("lost");
    var bytes = new Uint8Array(msg.bytes);
    var result = { double: multiplyAll(run.match, bytes, "Double-blinding " + msg.name, true).buffer };
    if (msg.evaluate) result.evaluated = multiplyAll(run.record, bytes, "Evaluating " + msg.name, false).buffer;
    result.transfer = [result.double].concat(result.evaluated ? [result.evaluated] : []);
    return result;
  },
  open: function (msg) {
    if (!run) throw new Error("lost");
    var mine = run.mine[msg.popId];
    var evaluated = split(new Uint8Array(msg.evaluated), POINT);
    if (evaluated.length !== mine.keys.length) throw new Error("The partner's evaluated list does not match your population.");
    var unblind = inverse(run.match);
    var tables = msg.tables.map(function (t) {
      var index = new Map(), bytes = new Uint8Array(t.bytes);
      if (bytes.length % STRIDE) throw new Error("A payload table is malformed.");
      for (var i = 0; i < bytes.length; i += STRIDE) {
        index.set(na.to_hex(bytes.subarray(i, i + TAG)), bytes.subarray(i + TAG, i + STRIDE));
      }
      return { name: t.name, index: index };
    });
    var found = [], n = evaluated.length, step = Math.max(1, Math.floor(n / 100));
    for (var i = 0; i < n; i++) {
      var element = mult(unblind, evaluated[i]);
      var tag = na.to_hex(na.crypto_generichash(TAG, element, TAG_KEY));
      tables.forEach(function (t) {
        var box = t.index.get(tag);
        if (box) {
          var key = mine.keys[i];
          found.push({ population: msg.popName, key: key, their_population: t.name,
                       your_fields: mine.fields.get(key) || {}, fields: openSealed(element, box) });
        }
      });
      if (i % step === 0) progress("Opening " + msg.popName, i, n);
    }
    progress("Opening " + msg.popName, n, n);
    return { records: found };
  },
  sealResult: function (msg) {
    var key = na.crypto_secretbox_keygen();
    var nonce = na.randombytes_buf(24);
    var box = na.crypto_secretbox_easy(encoder.encode(JSON.stringify(msg.data)), nonce, key);
    var sealed = concat(nonce, box);
    return { key: na.to_hex(key), sealed: sealed.buffer, transfer: [sealed.buffer] };
  },
  openResult: function (msg) {
    var bytes = new Uint8Array(msg.sealed);
    var plain = na.crypto_secretbox_open_easy(bytes.subarray(24), bytes.subarray(0, 24), hexToBytes(msg.key));
    return { data: JSON.parse(new TextDecoder().decode(plain)) };
  },
  forget: function () { run = null; return {}; }
};

self.onmessage = async function (event) {
  var msg = event.data;
  try {
    var result = await handlers[msg.cmd](msg);
    var transfer = result.transfer || [];
    delete result.transfer;
    result.type = "done";
    result.id = msg.id;
    self.postMessage(result, transfer);
  } catch (e) {
    post({ type: "error", id: msg.id, message: e && e.message ? e.message : String(e) });
  }
};
