// The in-engine half of a spec program (wast-program.js writes the other):
// it runs the commands of one .wast script against the global WebAssembly
// and records one result per command, as test/spec/script.js does in Node.
// The comparison of results (mismatch, describe) is values.js's own code,
// put in front of this file by the builder; the builder has already done
// everything that needs Node: assembling text modules, reading
// export types, building the wrapper modules, parsing literals. The
// commands come as one JSON text (see wast-program.js), which run() decodes
// and calls in order.
//
// Every module is compiled from its bytes (`new WebAssembly.Module(bytes)`),
// so under wasm2es each lookup goes through the runtime's registry of
// precompiled modules, sha256 and all. Floats never cross into JS as
// numbers: exports whose signature has an f32 or f64 are called through a
// wrapper module that takes and returns their bits (see values.js). A v128
// cannot cross at all: the same wrappers take and return each as its 4 i32
// words, which action() regroups into one value, as values.js compares it.
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
      if (!module) module = wrapperModules[spec.wrapper] = compile(spec.wrapper, 'wrapper module');
      try {
        wrapped = new WebAssembly.Instance(module, { m: imports }).exports.w;
      } catch (error) {
        throw failure('wrapper failed to instantiate: ' + errorText(error));
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
   * What a call returned (nothing, one value, or an array of them) as one
   * runner value per type of `types`: the wrapper returns each v128 as 4
   * consecutive words, taken back here as one array of u32 words.
   */
  function fromWire(returned, types) {
    var count = 0;
    types.forEach(function (type) {
      count += type === 'v128' ? 4 : 1;
    });
    var wire = count === 0 ? [] : count === 1 ? [returned] : Array.from(returned);
    var next = 0;
    return types.map(function (type) {
      if (type !== 'v128') return fromBits(wire[next++], type);
      var words = wire.slice(next, next + 4).map(function (word) {
        return typeof word === 'number' ? word >>> 0 : word;
      });
      next += 4;
      return words;
    });
  }

  /**
   * Runs an action: spec = { module?, name, get?, global?: { type }, args, results, wrapper? }.
   * Returns { values, types } with floats as bits; a trap propagates as thrown.
   */
  function action(spec) {
    var loaded = target(spec.module);
    var exported = loaded.instance.exports[spec.name];
    if (spec.get) {
      if (spec.wrapper) return { values: fromWire(wrapper(loaded, spec, { g: exported })(), [spec.type]), types: [spec.type] };
      return { values: [exported.value], types: [spec.type] };
    }
    if (typeof exported !== 'function') throw failure('export "' + spec.name + '" is not a function');
    var returned = spec.wrapper ? wrapper(loaded, spec, { f: exported }).apply(null, spec.args) : exported.apply(null, spec.args);
    return { values: fromWire(returned, spec.results), types: spec.results };
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

  /** The host reference `ref.extern n`: one object per n, as values.js's externref(). */
  function ext(n) {
    if (!externrefs[n]) externrefs[n] = { externref: n };
    return externrefs[n];
  }

  /** Parsed JSON data -> the values it stands for: the tagged objects of wast-program.js's toData. */
  function decode(value, modules) {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      return value.map(function (item) {
        return decode(item, modules);
      });
    }
    if ('$bigint' in value) return BigInt(value.$bigint);
    if ('$number' in value) return Number(value.$number);
    if ('$undefined' in value) return undefined;
    if ('$module' in value) return modules[value.$module];
    if ('$externref' in value) return ext(value.$externref);
    var decoded = {};
    for (var key in value) decoded[key] = decode(value[key], modules);
    return decoded;
  }

  var W = {

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

    /** `(module definition ...)`: it must compile; it is not instantiated, nor the current module. */
    moduleDefinition: function (line, base64) {
      record(line, 'module', function () {
        compile(base64, 'module');
      });
    },

    /** A module that could not be had at all (the assembler could not read it). */
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
          if (problem) problems.push('result ' + i + ': ' + problem + ', got ' + describe(value, outcome.types[i], expected[i]));
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

    /** Runs a program's commands: `data` is the JSON text of { modules: [base64], commands: [[method, ...arguments]] }. */
    run: function (data) {
      var parsed = JSON.parse(data);
      parsed.commands.forEach(function (command) {
        var call = decode(command, parsed.modules);
        W[call[0]].apply(null, call.slice(1));
      });
      __engine.report({ hadNativeWebAssembly: __engine.hadNativeWebAssembly, results: results });
    },
  };
  return W;
})();
