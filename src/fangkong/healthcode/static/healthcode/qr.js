/* A QR code encoder for the resident's page: the server hands out only the signed token and
   the phone draws it, so issuing a code costs the server a read and a signature, not a
   drawing (docs/healthcode.md, "Issuing a code").

   What it makes is fixed to what a health code needs: error correction level M, one segment
   (alphanumeric when every character is in the QR alphanumeric set, as a token always is,
   else UTF-8 bytes), the smallest version 1-40 that holds it, and the mask chosen by the
   penalty rules of ISO/IEC 18004:2015 §7.8.3 as segno evaluates them (the reserved format
   and version areas light while scoring). tests/healthcode/test_qr_js.py checks that its
   matrices equal segno's, module for module, so anything that read the server's drawing
   reads this one.

   QRCode.matrix(text) -> array of rows of 0/1 (1 dark), no quiet zone;
   QRCode.svg(text, scale) -> an SVG string (4-module quiet zone, one path). */
(function (root) {
  "use strict";
  var ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  /* Level M, versions 1-40: error-correction codewords per block, and number of blocks. */
  var EC_PER_BLOCK = [10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26,
    26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28];
  var BLOCKS = [1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18,
    20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49];
  var FORMAT_M = 0;  /* the two error-level bits of the format information */

  /* ------------------------------------------------------------ GF(256), x^8+x^4+x^3+x^2+1 */
  var EXP = new Array(512), LOG = new Array(256);
  (function () {
    var x = 1;
    for (var i = 0; i < 255; i++) { EXP[i] = x; LOG[x] = i; x = (x << 1) ^ (x & 0x80 ? 0x11d : 0); }
    for (i = 255; i < 512; i++) { EXP[i] = EXP[i - 255]; }
  })();
  function gfMul(a, b) { return a && b ? EXP[LOG[a] + LOG[b]] : 0; }

  function generator(degree) {  /* coefficients of prod (x - a^i), highest power first, monic dropped */
    var poly = [1];
    for (var i = 0; i < degree; i++) {
      var next = new Array(poly.length + 1).fill(0);
      for (var j = 0; j < poly.length; j++) {
        next[j] ^= poly[j];
        next[j + 1] ^= gfMul(poly[j], EXP[i]);
      }
      poly = next;
    }
    return poly.slice(1);
  }
  function remainder(data, gen) {
    var rem = new Array(gen.length).fill(0);
    data.forEach(function (byte) {
      var factor = byte ^ rem.shift();
      rem.push(0);
      for (var i = 0; i < gen.length; i++) { rem[i] ^= gfMul(gen[i], factor); }
    });
    return rem;
  }

  /* ------------------------------------------------------------ sizes */
  function size(version) { return version * 4 + 17; }
  function alignment(version) {  /* centre coordinates of the alignment patterns */
    if (version === 1) { return []; }
    var count = Math.floor(version / 7) + 2, last = size(version) - 7;
    var step = version === 32 ? 26 : Math.ceil((last - 6) / (count - 1) / 2) * 2;
    var out = [6];
    for (var i = count - 2; i >= 0; i--) { out.push(last - i * step); }
    return out;
  }
  var FREE = {};
  function dataModules(version) {  /* modules left for codewords and remainder bits */
    if (!FREE[version]) {
      FREE[version] = functionPatterns(version).fixed.reduce(function (sum, line) {
        return sum + line.filter(function (f) { return !f; }).length;
      }, 0);
    }
    return FREE[version];
  }
  function capacity(version) {  /* data codewords */
    return Math.floor(dataModules(version) / 8) - EC_PER_BLOCK[version - 1] * BLOCKS[version - 1];
  }

  /* ------------------------------------------------------------ the bit stream */
  function Bits() { this.bits = []; }
  Bits.prototype.put = function (value, length) {
    for (var i = length - 1; i >= 0; i--) { this.bits.push((value >>> i) & 1); }
  };
  function utf8(text) {
    return Array.prototype.slice.call(new TextEncoder().encode(text));
  }
  function segment(text) {
    var alnum = text.split("").every(function (c) { return ALNUM.indexOf(c) >= 0; });
    return alnum ? {mode: 2, count: text.length, text: text} : {mode: 4, bytes: utf8(text), count: utf8(text).length};
  }
  function countBits(seg, version) {
    var tier = version < 10 ? 0 : version < 27 ? 1 : 2;
    return seg.mode === 2 ? [9, 11, 13][tier] : [8, 16, 16][tier];
  }
  function dataBits(seg) { return seg.mode === 2 ? 11 * Math.floor(seg.count / 2) + 6 * (seg.count % 2) : 8 * seg.count; }
  function chooseVersion(seg) {
    for (var v = 1; v <= 40; v++) {
      if (4 + countBits(seg, v) + dataBits(seg) <= capacity(v) * 8) { return v; }
    }
    throw new Error("too long for a QR code");
  }
  function codewords(seg, version) {
    var out = new Bits(), room = capacity(version) * 8;
    out.put(seg.mode, 4);
    out.put(seg.count, countBits(seg, version));
    if (seg.mode === 2) {
      for (var i = 0; i + 1 < seg.count; i += 2) {
        out.put(ALNUM.indexOf(seg.text[i]) * 45 + ALNUM.indexOf(seg.text[i + 1]), 11);
      }
      if (seg.count % 2) { out.put(ALNUM.indexOf(seg.text[seg.count - 1]), 6); }
    } else {
      seg.bytes.forEach(function (b) { out.put(b, 8); });
    }
    out.put(0, Math.min(4, room - out.bits.length));
    /* To the byte boundary; like segno, a whole zero byte when already on one (readers stop
       at the terminator, so it is as valid as a pad byte, and the matrices stay equal). */
    out.put(0, Math.min(8 - out.bits.length % 8, room - out.bits.length));
    for (var pad = 0xec; out.bits.length < room; pad ^= 0xec ^ 0x11) { out.put(pad, 8); }
    var bytes = [];
    for (i = 0; i < out.bits.length; i += 8) {
      bytes.push(parseInt(out.bits.slice(i, i + 8).join(""), 2));
    }
    return bytes;
  }
  function interleave(data, version) {
    var blocks = BLOCKS[version - 1], ec = EC_PER_BLOCK[version - 1];
    var total = Math.floor(dataModules(version) / 8), longBlocks = total % blocks;
    var shortLen = Math.floor(total / blocks) - ec, gen = generator(ec);
    var parts = [], at = 0;
    for (var b = 0; b < blocks; b++) {
      var len = shortLen + (b >= blocks - longBlocks ? 1 : 0);
      var chunk = data.slice(at, at + len);
      at += len;
      parts.push({data: chunk, ec: remainder(chunk, gen)});
    }
    var out = [];
    for (var i = 0; i <= shortLen; i++) {
      parts.forEach(function (p) { if (i < p.data.length) { out.push(p.data[i]); } });
    }
    for (i = 0; i < ec; i++) { parts.forEach(function (p) { out.push(p.ec[i]); }); }
    return out;
  }

  /* ------------------------------------------------------------ the matrix */
  function Grid(version) {
    var n = size(version);
    this.n = n;
    this.dark = [];
    this.fixed = [];  /* function patterns and the reserved format / version areas */
    for (var r = 0; r < n; r++) { this.dark.push(new Array(n).fill(0)); this.fixed.push(new Array(n).fill(false)); }
  }
  Grid.prototype.set = function (row, col, dark) { this.dark[row][col] = dark ? 1 : 0; this.fixed[row][col] = true; };
  Grid.prototype.finder = function (row, col) {
    for (var dr = -1; dr <= 7; dr++) {
      for (var dc = -1; dc <= 7; dc++) {
        var r = row + dr, c = col + dc;
        if (r < 0 || c < 0 || r >= this.n || c >= this.n) { continue; }
        var ring = Math.max(Math.abs(dr - 3), Math.abs(dc - 3));
        this.set(r, c, ring !== 2 && ring !== 4);
      }
    }
  };
  function functionPatterns(version) {
    var g = new Grid(version), n = g.n;
    g.finder(0, 0); g.finder(0, n - 7); g.finder(n - 7, 0);
    for (var i = 8; i < n - 8; i++) { g.set(6, i, i % 2 === 0); g.set(i, 6, i % 2 === 0); }
    var centres = alignment(version), last = centres.length - 1;
    centres.forEach(function (r, a) {
      centres.forEach(function (c, b) {
        if ((a === 0 && b === 0) || (a === 0 && b === last) || (a === last && b === 0)) { return; }
        for (var dr = -2; dr <= 2; dr++) {
          for (var dc = -2; dc <= 2; dc++) { g.set(r + dr, c + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1); }
        }
      });
    });
    for (i = 0; i < 9; i++) {  /* format areas, light until the mask is chosen */
      if (i !== 6) { g.set(i, 8, 0); g.set(8, i, 0); }
      if (i < 8) { g.set(n - 1 - i, 8, 0); g.set(8, n - 1 - i, 0); }
    }
    if (version >= 7) {
      for (i = 0; i < 18; i++) { g.set(Math.floor(i / 3), n - 11 + i % 3, 0); g.set(n - 11 + i % 3, Math.floor(i / 3), 0); }
    }
    return g;
  }
  function place(g, stream) {
    var bit = 0, up = true;
    for (var right = g.n - 1; right > 0; right -= 2) {
      if (right === 6) { right = 5; }
      for (var k = 0; k < g.n; k++) {
        var row = up ? g.n - 1 - k : k;
        for (var z = 0; z < 2; z++) {
          var col = right - z;
          if (g.fixed[row][col]) { continue; }
          var byte = stream[bit >> 3];
          g.dark[row][col] = bit < stream.length * 8 ? (byte >>> (7 - (bit & 7))) & 1 : 0;
          bit++;
        }
      }
      up = !up;
    }
  }
  var MASKS = [
    function (i, j) { return (i + j) % 2 === 0; },
    function (i) { return i % 2 === 0; },
    function (i, j) { return j % 3 === 0; },
    function (i, j) { return (i + j) % 3 === 0; },
    function (i, j) { return (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0; },
    function (i, j) { return (i * j) % 2 + (i * j) % 3 === 0; },
    function (i, j) { return ((i * j) % 2 + (i * j) % 3) % 2 === 0; },
    function (i, j) { return ((i + j) % 2 + (i * j) % 3) % 2 === 0; }
  ];
  function masked(g, mask) {
    return g.dark.map(function (line, i) {
      return line.map(function (v, j) { return !g.fixed[i][j] && MASKS[mask](i, j) ? v ^ 1 : v; });
    });
  }

  /* ------------------------------------------------------------ the penalty of a mask */
  function runs(line) {  /* N1: 3 + (length - 5) for each run of 5 or more alike */
    var score = 0, count = 1;
    for (var j = 1; j <= line.length; j++) {
      if (j < line.length && line[j] === line[j - 1]) { count++; continue; }
      if (count >= 5) { score += count - 2; }
      count = 1;
    }
    return score;
  }
  var FINDER = "1011101";
  function finders(line) {  /* N3: 40 for dark-light-dark-dark-dark-light-dark with 4 light on a side */
    var text = line.join(""), n = line.length, score = 0, at = text.indexOf(FINDER);
    while (at !== -1) {
      var before = text.slice(Math.max(at - 4, 0), at), after = text.slice(at + 7, Math.min(at + 11, n));
      var next = at + 4;
      if (at === 0 || at === n - 7 || before.indexOf("1") < 0 || after.indexOf("1") < 0) { score += 40; next = at + 7; }
      at = text.indexOf(FINDER, next);
    }
    return score;
  }
  function penalty(m) {
    var n = m.length, score = 0, dark = 0;
    for (var i = 0; i < n; i++) {
      var column = m.map(function (line) { return line[i]; });
      score += runs(m[i]) + runs(column) + finders(m[i]) + finders(column);
      for (var j = 0; j < n; j++) {
        dark += m[i][j];
        if (i && j && m[i][j] === m[i][j - 1] && m[i][j] === m[i - 1][j] && m[i][j] === m[i - 1][j - 1]) { score += 3; }
      }
    }
    return score + 10 * Math.floor(Math.abs(dark / (n * n) * 100 - 50) / 5);
  }

  /* ------------------------------------------------------------ format and version bits */
  function bitLength(x) { return x ? 32 - Math.clz32(x) : 0; }
  function bch(value, poly, degree) {  /* value followed by its remainder modulo poly */
    var rem = value << degree;
    while (bitLength(rem) >= bitLength(poly)) { rem ^= poly << (bitLength(rem) - bitLength(poly)); }
    return (value << degree) | rem;
  }
  function addInfo(m, version, mask) {
    var n = m.length, format = bch((FORMAT_M << 3) | mask, 0x537, 10) ^ 0x5412;
    for (var i = 0; i < 15; i++) {
      var b = (format >>> i) & 1;
      if (i < 6) { m[i][8] = b; } else if (i < 8) { m[i + 1][8] = b; } else { m[n - 15 + i][8] = b; }
      if (i < 8) { m[8][n - 1 - i] = b; } else if (i === 8) { m[8][7] = b; } else { m[8][14 - i] = b; }
    }
    m[n - 8][8] = 1;
    if (version >= 7) {
      var info = bch(version, 0x1f25, 12);
      for (i = 0; i < 18; i++) {
        b = (info >>> i) & 1;
        m[Math.floor(i / 3)][n - 11 + i % 3] = b;
        m[n - 11 + i % 3][Math.floor(i / 3)] = b;
      }
    }
    return m;
  }

  function matrix(text) {
    var seg = segment(String(text)), version = chooseVersion(seg);
    var g = functionPatterns(version);
    place(g, interleave(codewords(seg, version), version));
    var best = null, bestScore = Infinity, bestMask = 0;
    for (var mask = 0; mask < 8; mask++) {
      var m = masked(g, mask), score = penalty(m);
      if (score < bestScore) { best = m; bestScore = score; bestMask = mask; }
    }
    return addInfo(best, version, bestMask);
  }

  function svg(text, scale) {
    var m = matrix(text), k = scale || 4, side = (m.length + 8) * k, d = [];
    m.forEach(function (line, r) {
      line.forEach(function (v, c) { if (v) { d.push("M" + (c + 4) * k + " " + (r + 4) * k + "h" + k + "v" + k + "h-" + k + "z"); } });
    });
    return '<svg xmlns="http://www.w3.org/2000/svg" width="' + side + '" height="' + side +
      '" viewBox="0 0 ' + side + " " + side + '" class="segno" role="img"><rect width="100%" height="100%" fill="#fff"/>' +
      '<path fill="#000" d="' + d.join("") + '"/></svg>';
  }

  var api = {matrix: matrix, svg: svg};
  if (typeof module === "object" && module.exports) { module.exports = api; } else { root.QRCode = api; }
})(typeof window !== "undefined" ? window : this);
