// Builds bench/gc/moonbit.wasm from bench/gc/moonbit.mbt with MoonBit's
// compiler, a WasmGC-targeting compiler that installs from npm: the
// playground's build of `moonc` (@moonbit/moonc-worker, js_of_ocaml) and the
// MoonBit core library sources that @moonbit/moonpad-monaco embeds. The
// .wasm is committed, as bench/c's are, because building needs both
// packages (15 MB) fetched from the registry and about four minutes (moonc
// compiled to JavaScript takes most of them over the core library); rerun
// this after editing the .mbt:
//
//   node bench/gc/build-moonbit.js
//
// The same sources and versions give the same bytes.
// moonc-worker is meant to run as a browser Web Worker behind comlink; its
// last statement hands the compiler's API to comlink, so that statement is
// replaced by a CommonJS export and the file loaded in this process. The
// core library comes without its moon.pkg.json files, but with the
// packages.json that `moon` generated from them, which says per file
// whether it belongs to the WasmGC backend in a release build. The program
// uses only FixedArray and what the compiler predefines, so `builtin` (and
// its dependency `abort`) is all of core it needs: Array and most of the
// rest come through `prelude`, some of whose dependencies' sources the
// playground does not ship.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packages = { compiler: '@moonbit/moonc-worker@0.1.202605123', playground: '@moonbit/moonpad-monaco@0.1.202602255' };
const gcDir = dirname(fileURLToPath(import.meta.url));
const workDir = join(gcDir, '..', '.out', 'moonbit');
const source = join(gcDir, 'moonbit.mbt');
const output = join(gcDir, 'moonbit.wasm');
/** The exports: run(n) and each phase, which bench/workloads/gc.js times one by one. */
const exported = ['run', 'trees', 'shapes', 'closures', 'traits', 'arrays'];

/** `npm pack` + untar into workDir/<name>/package, once. */
function fetchPackage(spec) {
  const directory = join(workDir, spec.replace(/^@/, '').replace(/[/@]/g, '-'));
  if (existsSync(join(directory, 'package', 'package.json'))) return join(directory, 'package');
  mkdirSync(directory, { recursive: true });
  const tarball = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', directory], { encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['xzf', join(directory, tarball), '-C', directory]);
  return join(directory, 'package');
}

/** The compiler's API ({ buildPackage, linkCore, ... }) from the worker script. */
function loadCompiler(packageDir) {
  const script = readFileSync(join(packageDir, 'moonc-worker.js'), 'utf8');
  // `var api=load(factory());expose(api);`, the script's last statement.
  const expose = /var (\w+)=(\w+\(\w+\(\)\));\w+\(\1\);/g;
  const matches = [...script.matchAll(expose)];
  if (matches.length !== 1) throw new Error(`moonc-worker.js: expected one comlink expose() statement, found ${matches.length}`);
  const file = join(workDir, 'moonc.cjs');
  writeFileSync(file, script.replace(expose, 'module.exports=$2;'));
  return createRequire(import.meta.url)(file);
}

/** The core library's files, { '/lib/core/...': bytes }, from the playground bundle (base64 constants). */
function coreFiles(packageDir) {
  const bundle = readFileSync(join(packageDir, 'dist', 'moonpad-monaco.js'), 'utf8');
  const constants = new Map([...bundle.matchAll(/[,;\s](\w+) = \w+\("([A-Za-z0-9+/=]*)"\)/g)].map((m) => [m[1], m[2]]));
  const files = {};
  for (const [, path, name] of bundle.matchAll(/\w+\["(\/lib\/core\/[^"]+)"\] = (\w+);/g)) {
    if (constants.has(name)) files[path] = Buffer.from(constants.get(name), 'base64');
  }
  if (!files['/lib/core/_build/packages.json']) throw new Error('moonpad-monaco.js: no /lib/core/_build/packages.json');
  return files;
}

const check = (what, result) => {
  const errors = result.diagnostics.filter((line) => !/Warning/.test(line));
  if (!result.core) throw new Error(`${what} failed:\n${errors.join('\n')}`);
  return result;
};

function build() {
  mkdirSync(workDir, { recursive: true });
  const moonc = loadCompiler(fetchPackage(packages.compiler));
  const files = coreFiles(fetchPackage(packages.playground));
  const manifest = JSON.parse(files['/lib/core/_build/packages.json']);
  const byName = new Map(manifest.packages.map((p) => [`${p.root}/${p.rel}`, p]));
  const built = new Map();

  const buildCore = (name) => {
    if (built.has(name)) return built.get(name);
    const meta = byName.get(name);
    for (const dep of meta.deps) buildCore(dep.path);
    const sources = Object.entries(meta.files)
      .filter(([, when]) => when.backend.includes('WasmGC') && when.optlevel.includes('Release'))
      .map(([file]) => {
        const path = file.replace(/^moonbit-core:/, '');
        if (!files[path]) throw new Error(`core source missing from the playground: ${path}`);
        return [path.replace(/^\/lib\//, ''), files[path].toString('utf8')];
      });
    const result = check(name, moonc.buildPackage({
      mbtFiles: sources,
      miFiles: meta.deps.map((dep) => [`${dep.path}:${dep.alias}`, built.get(dep.path).mi]),
      indirectImportMiFiles: [],
      stdMiFiles: [],
      target: 'wasm-gc',
      pkg: name,
      pkgSources: ['moonbitlang/core:moonbitlang/core:core'],
      isMain: false,
      errorFormat: 'human',
      enableValueTracing: false,
      noOpt: false,
    }));
    built.set(name, result);
    return result;
  };

  const std = ['abort', 'builtin'].map((rel) => [rel, buildCore(`moonbitlang/core/${rel}`)]);
  const main = check('bench/gc/moonbit.mbt', moonc.buildPackage({
    mbtFiles: [['moonbit.mbt', readFileSync(source, 'utf8')]],
    miFiles: [],
    indirectImportMiFiles: [],
    stdMiFiles: std.map(([rel, result]) => [`/lib/core/${rel}:${rel}`, result.mi]),
    target: 'wasm-gc',
    pkg: 'bench/gc',
    pkgSources: ['bench/gc:bench:/'],
    isMain: true,
    errorFormat: 'human',
    enableValueTracing: false,
    noOpt: false,
  }));
  const link = (outputFormat) => moonc.linkCore({
    coreFiles: [...std.map(([, result]) => result.core), main.core],
    main: 'bench/gc',
    pkgSources: ['moonbitlang/core:moonbitlang/core:/lib/core', 'bench/gc:bench:/'],
    target: 'wasm-gc',
    exportedFunctions: exported,
    outputFormat,
    testMode: false,
    debug: false,
    noOpt: false,
    sourceMap: false,
    sources: {},
    stopOnMain: false,
  }).result;
  writeFileSync(output, link('wasm'));
  // The compiler's own text, for reading what the compiler side must support.
  writeFileSync(join(workDir, 'moonbit.wat'), link('wat'));
  const version = (spec) => JSON.parse(readFileSync(join(fetchPackage(spec), 'package.json'), 'utf8')).version;
  writeFileSync(join(gcDir, 'toolchain.txt'),
    `moonbit.wasm: ${packages.compiler} (moonc ${version(packages.compiler)}), target wasm-gc, release;\n` +
    `core library (abort, builtin) from ${packages.playground}\n`);
  process.stderr.write(`wrote ${output} (${readFileSync(output).length} bytes) and ${join(workDir, 'moonbit.wat')}\n`);
}

build();
