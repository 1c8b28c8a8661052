// The start of every engine test program: the little host API the program
// builder's pieces rely on, written for the oldest engine under test (Hermes
// 0.12: no classes, no async arrow functions, no console, no atob). Each host
// provides one function, `print(text)`, which writes a line to stdout; the
// rest is built from it here. This file is a classic script, read as text.
//
// It defines only what an engine lacks: on node the real console stays, so
// glue that logs behaves as it does there.

var __engine = {
  hadNativeWebAssembly: typeof WebAssembly !== 'undefined',

  /** The one line of JSON the harness reads back; everything else on stdout is the program's own. */
  report: function (value) {
    print('@@report ' + JSON.stringify(value));
  },

  /** Base64 -> Uint8Array (no atob on Hermes or QuickJS). */
  bytes: function (base64) {
    var alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    var values = new Uint8Array(128);
    for (var i = 0; i < alphabet.length; i++) values[alphabet.charCodeAt(i)] = i;
    var length = base64.length;
    while (length > 0 && base64.charAt(length - 1) === '=') length--;
    var out = new Uint8Array((length * 3) >> 2);
    var bits = 0;
    var count = 0;
    var position = 0;
    for (var j = 0; j < length; j++) {
      bits = (bits << 6) | values[base64.charCodeAt(j)];
      count += 6;
      if (count >= 8) {
        count -= 8;
        out[position++] = (bits >> count) & 0xff;
      }
    }
    return out;
  },

  /** Milliseconds, from whatever clock the engine has. */
  now: function () {
    return typeof performance !== 'undefined' && performance.now ? performance.now() : Date.now();
  },
};

if (typeof globalThis.console === 'undefined') {
  globalThis.console = (function () {
    var line = function () {
      return Array.prototype.map.call(arguments, String).join(' ');
    };
    var out = function () {
      print(line.apply(null, arguments));
    };
    return { log: out, info: out, debug: out, warn: out, error: out, trace: out };
  })();
}
