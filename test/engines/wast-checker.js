// The in-engine half of a spec program (wast-program.js writes the other):
// it runs the commands of one .wast script against the global WebAssembly
// and records one result per command, as test/spec/script.js does in Node.
// The comparison of results (mismatch, describe) is values.js's own code,
// put in front of this file by the builder; the builder has already done
// everything that needs Node: assembling text modules with wabt, reading
// export types, building the float wrapper modules, parsing literals.
//
// Every module is compiled from its bytes (`new WebAssembly.Module(bytes)`),
// so under wasm2es each lookup goes through the runtime's registry of
// precompiled modules, sha256 and all. Floats never cross into JS as
// numbers: exports whose signature has an f32 or f64 are called through a
// wrapper module that takes and returns their bits (see values.js).
//
// A classic script for the oldest engine under test: no classes, no async.

var __wast = (function () {
  var results = [];
  var spectestObject;
  var current;
  var named = {};
  var registered = {};
  var externrefs = {};
  var wrapperModules = {};

  function failure(message) {
    var error = new Error(message);
    error.wastFailure = true;
    return error;
  }

  function errorText(error) {
    if (error instanceof Error) return ((error.constructor && error.constructor.name) || error.name) + ': ' + error.message;
    return String(error);
  }

  function record(line, kind, body) {
    try {
      body();
      results.push([line, kind, 'pass']);
    } catch (error) {
      results.push([line, kind, 'fail', error && error.wastFailure ? error.message : 'runner: ' + errorText(error)]);
    }
  }

  function spectestModule() {
    if (!spectestObject) spectestObject = spectest(WebAssembly); // the runner's own (test/spec/engines.js)
    return spectestObject;
  }

  function importObject() {
    var imports = { spectest: spectestModule() };
    for (var name in registered) imports[name] = registered[name];
    return imports;
  }

  function compile(base64, what) {
    try {
      return new WebAssembly.Module(__engine.bytes(base64));
    } catch (error) {
      throw failure(what + ' failed to compile: ' + errorText(error));
    }
  }

  function instantiate(module, what) {
    try {
      return new WebAssembly.Instance(module, importObject());
    } catch (error) {
      throw failure(what + ' failed to instantiate: ' + errorText(error));
    }
  }

  function target(name) {
    var loaded = name === undefined ? current : named[name];
    if (loaded === undefined) throw failure(name === undefined ? 'no module' : 'no module ' + name);
    if (loaded instanceof Error) {
      throw failure(('module ' + (name || '') + ' did not load (' + loaded.message + ')').replace('  ', ' '));
    }
    return loaded;
  }

  /** A wrapper's instance for one export, its module compiled once per program. */
  function wrapper(loaded, spec, imports) {
    var wrapped = loaded.wrappers[spec.name];
    if (!wrapped) {
      var module = wrapperModules[spec.wrapper];
      if (!module) module = wrapperModules[spec.wrapper] = compile(spec.wrapper, 'float wrapper module');
      try {
        wrapped = new WebAssembly.Instance(module, { m: imports }).exports.w;
      } catch (error) {
        throw failure('float wrapper failed to instantiate: ' + errorText(error));
      }
      loaded.wrappers[spec.name] = wrapped;
    }
    return wrapped;
  }

  function fromBits(value, type) {
    if (type === 'f32' && typeof value === 'number') return value >>> 0;
    if (type === 'f64' && typeof value === 'bigint') return value & U64_MASK; // not BigInt.asUintN: see values.js
    return value;
  }

  /**
   * Runs an action: spec = { module?, name, get?, global?: { type }, args, results, wrapper? }.
   * Returns { values, types } with floats as bits; a trap propagates as thrown.
   */
  function action(spec) {
    var loaded = target(spec.module);
    var exported = loaded.instance.exports[spec.name];
    if (spec.get) {
      if (spec.wrapper) return { values: [fromBits(wrapper(loaded, spec, { g: exported })(), spec.type)], types: [spec.type] };
      return { values: [exported.value], types: [spec.type] };
    }
    if (typeof exported !== 'function') throw failure('export "' + spec.name + '" is not a function');
    var returned = spec.wrapper ? wrapper(loaded, spec, { f: exported }).apply(null, spec.args) : exported.apply(null, spec.args);
    var values;
    if (spec.results.length === 0) values = [];
    else if (spec.results.length === 1) values = [returned];
    else values = Array.from(returned);
    return {
      values: values.map(function (value, i) {
        return fromBits(value, spec.results[i]);
      }),
      types: spec.results,
    };
  }

  function expectError(error, classes) {
    var ok = classes.some(function (name) {
      if (name === 'stack overflow') {
        // The JS API leaves stack exhaustion to the engine: V8 and Hermes
        // throw RangeError, QuickJS InternalError("stack overflow").
        return error instanceof Error && error.name === 'InternalError' && /stack overflow/i.test(error.message);
      }
      var constructor = name === 'RangeError' ? RangeError : WebAssembly[name];
      return error instanceof constructor;
    });
    if (!ok) throw failure('expected ' + classes.join(' or ') + ', got ' + errorText(error));
  }

  function actionError(spec, classes) {
    var outcome;
    try {
      outcome = action(spec);
    } catch (error) {
      if (error && error.wastFailure) throw error;
      expectError(error, classes);
      return;
    }
    var shown = outcome.values.map(function (value, i) {
      return describe(value, outcome.types[i]);
    });
    throw failure('expected ' + classes.join(' or ') + ', returned ' + (shown.join(', ') || 'nothing'));
  }

  function instantiationError(base64, className) {
    var module = compile(base64, 'module');
    try {
      new WebAssembly.Instance(module, importObject());
    } catch (error) {
      expectError(error, [className]);
      return;
    }
    throw failure('expected ' + className + ', instantiated');
  }

  return {
    /** The host reference `ref.extern n`: one object per n, as values.js's externref(). */
    ext: function (n) {
      if (!externrefs[n]) externrefs[n] = { externref: n };
      return externrefs[n];
    },

    module: function (line, name, base64) {
      record(line, 'module', function () {
        var loaded;
        try {
          loaded = { instance: instantiate(compile(base64, 'module'), 'module'), wrappers: {} };
        } catch (error) {
          loaded = error;
        }
        current = loaded;
        if (name !== undefined) named[name] = loaded;
        if (loaded instanceof Error) throw loaded;
      });
    },

    /** A module that could not be had at all (wabt could not assemble it). */
    brokenModule: function (line, name, message) {
      var error = failure(message);
      current = error;
      if (name !== undefined) named[name] = error;
      results.push([line, 'module', 'fail', message]);
    },

    register: function (line, as, name) {
      record(line, 'action', function () {
        registered[as] = target(name).instance.exports;
      });
    },

    action: function (line, spec) {
      record(line, 'action', function () {
        action(spec);
      });
    },

    assertReturn: function (line, spec, expected) {
      record(line, 'assert_return', function () {
        var outcome;
        try {
          outcome = action(spec);
        } catch (error) {
          if (error && error.wastFailure) throw error;
          throw failure('threw ' + errorText(error));
        }
        if (outcome.values.length !== expected.length) {
          throw failure('expected ' + expected.length + ' results, got ' + outcome.values.length);
        }
        var problems = [];
        outcome.values.forEach(function (value, i) {
          var problem = mismatch(value, expected[i]);
          if (problem) problems.push('result ' + i + ': ' + problem + ', got ' + describe(value, outcome.types[i]));
        });
        if (problems.length) throw failure(problems.join('; '));
      });
    },

    assertTrap: function (line, spec) {
      record(line, 'assert_trap', function () {
        actionError(spec, ['RuntimeError']);
      });
    },

    assertExhaustion: function (line, spec) {
      record(line, 'assert_exhaustion', function () {
        actionError(spec, ['RuntimeError', 'RangeError', 'stack overflow']);
      });
    },

    /** assert_trap on a module, assert_unlinkable, assert_uninstantiable. */
    assertInstantiation: function (line, kind, base64, className) {
      record(line, kind, function () {
        instantiationError(base64, className);
      });
    },

    /** A command that fails before it can run (decided by the builder, e.g. arguments that do not fit). */
    fail: function (line, kind, message) {
      results.push([line, kind, 'fail', message]);
    },

    skip: function (line, kind, message) {
      results.push([line, kind, 'skip', message]);
    },

    finish: function () {
      __engine.report({ hadNativeWebAssembly: __engine.hadNativeWebAssembly, results: results });
    },
  };
})();
