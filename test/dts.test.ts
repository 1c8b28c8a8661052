// Declarations (.d.ts) for compiled output, judged by the TypeScript
// compiler itself: .d.ts files are written beside compiled .js files in a
// temporary directory, and one strict tsc program checks TypeScript files
// that use them: one must compile cleanly, each of the others must fail
// with exactly one expected error on its last line. The runtime's types
// come from its sources (runtime/index.ts, through `paths`), so no build
// is needed. A last test checks that the runtime returns and passes what
// the declarations say.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { compile, declarations } from '../compiler/index.js';
import { CompileError } from '../runtime/errors.js';
import { defineModule, Global, Instance, Memory, rt, Table } from '../runtime/index.js';
import { watNamed as wat } from './runtime/helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every value type both ways, multi-value, every kind of import and export, names that are not identifiers, v128. */
const TYPES_WAT = `(module
  (import "env" "log" (func $log (param $code i32) (param $big i64) (param $single f32) (param $double f64)))
  (import "env" "pair" (func $pair (result i32 i64)))
  (import "env" "ref" (func $ref (param funcref externref) (result externref)))
  (import "env" "memory" (memory 1 2))
  (import "env" "table" (table 1 funcref))
  (import "env" "seed" (global $seed i64))
  (import "env" "scale" (global $scale (mut f64)))
  (import "env" "lanes" (func $lanes (param v128)))
  (import "env" "either" (func $either_i32 (param i32)))
  (import "env" "either" (func $either_i64 (param i64)))
  (import "host module" "a-b" (func $ab))
  (table $exported 2 externref)
  (global $counter (export "counter") (mut i32) (i32.const 0))
  (global $limit (export "limit") f32 (f32.const 1.5))
  (global $vector (export "vector") (mut v128) (v128.const i32x4 0 0 0 0))
  (func (export "add") (param $x i64) (param $y i64) (result i64)
    (i64.add (local.get $x) (local.get $y)))
  (func (export "swap") (param $a i32) (param $b f64) (result f64 i32)
    (local.get $b) (local.get $a))
  (func (export "refs") (param funcref externref) (result funcref)
    (local.get 0))
  (func (export "v128.in") (param v128) (result i32) (i32.const 0))
  (func (export "v128.out") (result v128) (v128.const i32x4 0 0 0 0))
  (func (export "default") (param $default i32) (param $this i32))
  (func (export "nothing"))
  (export "memory" (memory 0))
  (export "table" (table $exported))
  (export "log" (func $log))
  (export "kebab-case name" (func $ab)))`;

/** A module without imports: the import object may be left out. */
const SOLO_WAT = `(module (func (export "one") (result f64) (f64.const 1)))`;

const TYPES_DTS = `// Types of a WebAssembly module compiled by wasm2es (format esm).
import type { Global, Memory, Module, Table } from "wasm2es/runtime";

/** What an instance of this module exports (\`instance.exports\`, a frozen object). */
export interface Exports {
  /** (global (mut i32)) */
  readonly counter: Global<number>;
  /** (global f32) */
  readonly limit: Readonly<Global<number>>;
  /** (global (mut v128)) */
  readonly vector: Global<never>;
  /** (func (param i64 i64) (result i64)) */
  readonly add: (x: bigint, y: bigint) => bigint;
  /** (func (param i32 f64) (result f64 i32)) */
  readonly swap: (a: number, b: number) => [number, number];
  /** (func (param funcref externref) (result funcref)) */
  readonly refs: (p0: Function | null, p1: unknown) => Function | null;
  /** (func (param v128) (result i32)): v128 cannot cross to JavaScript, a call throws TypeError */
  readonly "v128.in": (...args: never) => never;
  /** (func (result v128)): v128 cannot cross to JavaScript, a call throws TypeError */
  readonly "v128.out": (...args: never) => never;
  /** (func (param i32 i32)) */
  readonly default: (p0: number, p1: number) => void;
  /** (func) */
  readonly nothing: () => void;
  /** (memory 1 2) */
  readonly memory: Memory;
  /** (table 2 externref) */
  readonly table: Table;
  /** (func (param i32 i64 f32 f64)) */
  readonly log: (code: number, big: bigint, single: number, double: number) => void;
  /** (func) */
  readonly "kebab-case name": () => void;
}

/** The import object instances of this module need; every import is required. */
export interface Imports {
  env: {
    /** (func (param i32 i64 f32 f64)) */
    log: (code: number, big: bigint, single: number, double: number) => void;
    /** (func (result i32 i64)) */
    pair: () => readonly [number, bigint];
    /** (func (param funcref externref) (result externref)) */
    ref: (p0: Function | null, p1: unknown) => unknown;
    /** (memory 1 2) */
    memory: Memory;
    /** (table 1 funcref) */
    table: Table;
    /** (global i64) */
    seed: bigint | Global<bigint>;
    /** (global (mut f64)) */
    scale: Global<number>;
    /** (func (param v128)): v128 cannot cross to JavaScript, a call throws TypeError */
    lanes: (...args: never) => unknown;
    /** (func (param i32)) and (func (param i64)) */
    either: ((p0: number) => void) & ((p0: bigint) => void);
  };
  "host module": {
    /** (func) */
    "a-b": () => void;
  };
}

/** The compiled module: instantiate it with the \`WebAssembly\` exported here. */
declare const wasmModule: Module<Exports, Imports>;
export default wasmModule;
export { WebAssembly } from "wasm2es/runtime";
`;

describe('declarations()', () => {
  it('writes the exact types of every export and import (esm)', () => {
    expect(declarations(wat(TYPES_WAT))).toBe(TYPES_DTS);
  });

  it('describe a cjs Module as `export =`, its types in a namespace of the same name', () => {
    const text = declarations(wat(SOLO_WAT), { format: 'cjs', runtimeImport: './runtime.js' });
    expect(text).toContain('import type { Module } from "./runtime.js";');
    expect(text).toContain('declare const wasmModule: Module<wasmModule.Exports, wasmModule.Imports>;\ndeclare namespace wasmModule {\n');
    expect(text).toContain('  export type Imports = object;\n}\nexport = wasmModule;\n');
  });

  it('declare the iife global, or only the types without a global name', () => {
    const bytes = wat(SOLO_WAT);
    expect(declarations(bytes, { format: 'iife', globalName: 'app' })).toContain('  var app: Module<Exports, Imports>;\n');
    const anonymous = declarations(bytes, { format: 'iife' });
    expect(anonymous).not.toContain('import type');
    expect(anonymous).not.toContain('declare global');
    expect(() => declarations(bytes, { format: 'iife', globalName: 'my-app' })).toThrow(/"my-app" is not an identifier/);
  });

  it('refuse the body format and invalid modules', () => {
    expect(() => declarations(wat(SOLO_WAT), { format: 'body' })).toThrow(TypeError);
    expect(() => declarations(readFileSync(join(ROOT, 'fixtures/invalid.wasm')))).toThrow(CompileError);
  });
});

// --- the TypeScript compiler's verdict ------------------------------------------------

/** Opens every case file: the compiled modules and a valid import object for each. */
const PRELUDE = `import memoryModule, { WebAssembly } from './memory.js';
import types, { type Exports, type Imports } from './types.js';
declare const imports: Imports;
const memory = new WebAssembly.Memory({ initial: 1 });
const { exports } = new WebAssembly.Instance(types, imports);
`;

const PASSES = `${PRELUDE}
import solo from './solo.js';
import typesCjs from './types-cjs.cjs';
import type { Global, Memory, Table } from 'wasm2es/runtime';

// The README's example, typed.
const instance = new WebAssembly.Instance(memoryModule, { js: { mem: memory } });
const sum: number = instance.exports.accumulate(0, 10);

// Every import, written out: each import is checked against its declaration.
const seen: unknown[] = [];
const written: Imports = {
  env: {
    log: (code: number, big: bigint, single: number, double: number) => { seen.push(code, big, single, double); },
    pair: () => [1, 2n],
    ref: (f: Function | null, value: unknown) => (f === null ? value : f),
    memory: new WebAssembly.Memory({ initial: 1, maximum: 2 }),
    table: new WebAssembly.Table({ element: 'anyfunc', initial: 1 }),
    seed: 7n,
    scale: new WebAssembly.Global({ value: 'f64', mutable: true }, 0.5),
    lanes: () => {},
    either: (value: number | bigint) => { seen.push(value); },
  },
  'host module': { 'a-b': () => {} },
};
const typed = new WebAssembly.Instance(types, written).exports;
const big: bigint = typed.add(1n, 2n);
const [double, single]: [number, number] = typed.swap(1, 2.5);
const reference: Function | null = typed.refs(typed.add, { any: 'value' });
const nothing: void = typed.nothing();
typed['kebab-case name']();
typed.default(1, 2);
const counter: number = typed.counter.value;
typed.counter.value = counter + 1;
const limit: number = typed.limit.value;
const exportedMemory: Memory = typed.memory;
const table: Table = typed.table;
const scale: Global<number> = written.env.scale;

// The promise forms carry the types too.
async function promises(bytes: Uint8Array): Promise<bigint> {
  const fromModule = await WebAssembly.instantiate(types, written);
  const fromBytes = await WebAssembly.instantiate<Exports, Imports>(bytes, written);
  const untyped = await WebAssembly.instantiate(bytes, {});
  const anything: number = untyped.instance.exports.whatever(1);
  return fromModule.exports.add(1n, fromBytes.instance.exports.add(2n, BigInt(anything)));
}

// No imports: the import object may be left out.
const one: number = new WebAssembly.Instance(solo).exports.one();
const soloPromise: Promise<number> = WebAssembly.instantiate(solo).then((i) => i.exports.one());

// CommonJS output, imported from ES modules.
const fromCjs: bigint = new WebAssembly.Instance(typesCjs, written).exports.add(1n, 2n);
const cjsExports: typesCjs.Exports = typed;

// The iife output's global (app.d.ts).
const fromGlobal: bigint = new wasm2esRuntime.WebAssembly.Instance(app, imports).exports.add(1n, 2n);

// Modules without a .d.ts keep working as before.
const plain = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(0)));
const loose: string = plain.exports.anything;

export { sum, big, double, single, reference, nothing, limit, exportedMemory, table, scale, promises, one, soloPromise };
export { fromCjs, cjsExports, fromGlobal, loose, exports };
`;

/** CommonJS output required from CommonJS. */
const PASSES_CJS = `import types = require('./types-cjs.cjs');
import type { WebAssemblyNamespace } from 'wasm2es/runtime';
declare const WebAssembly: WebAssemblyNamespace;
declare const imports: types.Imports;
const sum: bigint = new WebAssembly.Instance(types, imports).exports.add(1n, 2n);
export = sum;
`;

/** Each case: what its last line does, the line, and the one error it must give. */
const FAILURES: [string, string, RegExp][] = [
  ['an argument of the wrong type', `instance1.exports.accumulate('x', 10);`,
    /TS2345: Argument of type 'string' is not assignable to parameter of type 'number'/],
  ['a number for an i64', `exports.add(1, 2n);`,
    /TS2345: Argument of type 'number' is not assignable to parameter of type 'bigint'/],
  ['too few arguments', `exports.add(1n);`, /TS2554: Expected 2 arguments, but got 1/],
  ['the result used as the wrong type', `const text: string = instance1.exports.accumulate(0, 10);`,
    /TS2322: Type 'number' is not assignable to type 'string'/],
  ['an i64 result used as a number', `const n: number = exports.add(1n, 2n);`,
    /TS2322: Type 'bigint' is not assignable to type 'number'/],
  ['a missing import', `new WebAssembly.Instance(memoryModule, { js: {} });`,
    /Property 'mem' is missing in type '\{\}' but required in type '\{ mem: Memory; \}'/],
  ['a missing import object', `new WebAssembly.Instance(memoryModule);`, /TS2554: Expected 2 arguments, but got 1/],
  ['an import of the wrong type', `new WebAssembly.Instance(memoryModule, { js: { mem: 65536 } });`,
    /TS2322: Type 'number' is not assignable to type 'Memory'/],
  ['an import function of the wrong signature', `const wrong: Imports['env']['log'] = (code: string) => {};`,
    /TS2322: Type '\(code: string\) => void' is not assignable to type '\(code: number, big: bigint, single: number, double: number\) => void'/],
  ['a plain number for a mutable global import', `const scale: Imports['env']['scale'] = 0.5;`,
    /TS2322: Type 'number' is not assignable to type 'Global<number>'/],
  ['a missing import through instantiate', `WebAssembly.instantiate(memoryModule, {});`, /Property 'js' is missing in type '\{\}'/],
  ['a call with a v128 argument', `exports['v128.in'](0);`,
    /TS2345: Argument of type '\[number\]' is not assignable to parameter of type 'never'/],
  ['a call of a function returning v128', `exports['v128.out']();`,
    /TS2345: Argument of type '\[\]' is not assignable to parameter of type 'never'/],
  ['writing a v128 global', `exports.vector.value = 0;`,
    /TS2322: Type '0' is not assignable to type 'never'/],
  ['writing an immutable global', `exports.limit.value = 2;`,
    /TS2540: Cannot assign to 'value' because it is a read-only property/],
  ['replacing an export', `exports.nothing = () => {};`,
    /TS2540: Cannot assign to 'nothing' because it is a read-only property/],
  ['an export that does not exist', `exports.missing();`, /TS2339: Property 'missing' does not exist on type 'Exports'/],
  ['the iife global with a wrong import object', `new wasm2esRuntime.WebAssembly.Instance(app, { env: {} });`,
    /is missing the following properties from type '\{ log: /],
];

/** The line every failure case declares instance1 with, before its last line. */
const MEMORY_INSTANCE = `const instance1 = new WebAssembly.Instance(memoryModule, { js: { mem: memory } });\n`;

interface Verdict {
  /** Errors of a file, as `line: TSxxxx: message`. */
  errors(file: string): string[];
}

let directory = '';
let verdict: Verdict;

function writeCompiled(name: string, bytes: Uint8Array, extension: 'js' | 'cjs', format: 'esm' | 'cjs' | 'iife', globalName?: string): void {
  writeFileSync(join(directory, `${name}.${extension}`), compile(bytes, { format, globalName }).code);
  writeFileSync(join(directory, `${name}.${extension === 'cjs' ? 'd.cts' : 'd.ts'}`), declarations(bytes, { format, globalName }));
}

function typeCheck(rootNames: string[]): Verdict {
  const program = ts.createProgram(rootNames, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts'],
    types: [],
    paths: { 'wasm2es/runtime': [join(ROOT, 'runtime/index.js')] },
  });
  return {
    errors(file: string): string[] {
      const source = program.getSourceFile(join(directory, file));
      if (source === undefined) throw new Error(`${file} is not in the program`);
      const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
      return diagnostics.map((diagnostic) => {
        const line = diagnostic.start === undefined ? 0 : source.getLineAndCharacterOfPosition(diagnostic.start).line + 1;
        return `${line}: TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
      });
    },
  };
}

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'wasm2es-dts-'));
  writeFileSync(join(directory, 'package.json'), '{ "type": "module" }\n');
  const types = wat(TYPES_WAT);
  writeCompiled('memory', readFileSync(join(ROOT, 'fixtures/memory.wasm')), 'js', 'esm');
  writeCompiled('types', types, 'js', 'esm');
  writeCompiled('types-cjs', types, 'cjs', 'cjs');
  writeCompiled('app', types, 'js', 'iife', 'app');
  writeCompiled('solo', wat(SOLO_WAT), 'js', 'esm');
  const roots = ['app.d.ts', 'passes.ts', 'passes-cjs.cts'];
  writeFileSync(join(directory, 'passes.ts'), PASSES);
  writeFileSync(join(directory, 'passes-cjs.cts'), PASSES_CJS);
  FAILURES.forEach(([, line], i) => {
    writeFileSync(join(directory, `fails-${i}.ts`), `${PRELUDE}${MEMORY_INSTANCE}${line}\nexport {};\n`);
    roots.push(`fails-${i}.ts`);
  });
  verdict = typeCheck(roots.map((file) => join(directory, file)));
}, 60_000);

afterAll(() => {
  if (directory !== '') rmSync(directory, { recursive: true, force: true });
});

describe('TypeScript with the declarations', () => {
  it('accepts every correct use, in esm, cjs and iife', () => {
    expect(verdict.errors('passes.ts')).toEqual([]);
    expect(verdict.errors('passes-cjs.cts')).toEqual([]);
  });

  it('finds nothing wrong in the declarations themselves', () => {
    for (const file of ['memory.d.ts', 'types.d.ts', 'types-cjs.d.cts', 'app.d.ts', 'solo.d.ts']) expect(verdict.errors(file)).toEqual([]);
  });

  const lastLine = PRELUDE.split('\n').length + 1;
  it.each(FAILURES.map(([what, line, error], i) => ({ what, line, error, file: `fails-${i}.ts` })))(
    'rejects $what',
    ({ file, error }) => {
      const errors = verdict.errors(file);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(error);
      expect(errors[0].startsWith(`${lastLine}: `)).toBe(true);
    },
  );
});

// --- the runtime does what the declarations say ---------------------------------------

describe('the runtime behind the declared types', () => {
  it('passes and returns the declared kinds of values', () => {
    const module = defineModule(new Function('rt', compile(wat(TYPES_WAT), { format: 'body' }).code)(rt));
    const received: unknown[] = [];
    const scale = new Global({ value: 'f64', mutable: true }, 0.5);
    const instance = new Instance(module, {
      env: {
        log: (...values: unknown[]) => received.push(...values),
        pair: () => [1, 2n],
        ref: (f: unknown, value: unknown) => value,
        memory: new Memory({ initial: 1, maximum: 2 }),
        table: new Table({ element: 'anyfunc', initial: 1 }),
        seed: 7n,
        scale,
        lanes: () => {},
        either: () => {},
      },
      'host module': { 'a-b': () => {} },
    });
    const exports = instance.exports;
    expect(Object.isFrozen(exports)).toBe(true);
    exports.log(1, 2n, 3, 4);
    expect(received.map((value) => typeof value)).toEqual(['number', 'bigint', 'number', 'number']);
    expect(exports.add(1n, 2n)).toBe(3n);
    expect(exports.swap(1, 2.5)).toEqual([2.5, 1]);
    expect(exports.refs(null, 'x')).toBe(null);
    expect(exports.refs(exports.add, {})).toBe(exports.add);
    expect(() => exports.refs(() => 1, {})).toThrow(TypeError);
    expect(() => exports['v128.in']()).toThrow(TypeError);
    expect(() => exports['v128.out']()).toThrow(TypeError);
    expect(exports.nothing()).toBe(undefined);
    expect(exports['kebab-case name']()).toBe(undefined);
    expect(exports.memory).toBeInstanceOf(Memory);
    expect(exports.table).toBeInstanceOf(Table);
    expect(exports.counter).toBeInstanceOf(Global);
    expect(exports.limit.value).toBe(1.5);
    expect(() => exports.vector.value).toThrow(TypeError);
    expect(() => { exports.vector.value = 0; }).toThrow(TypeError);
    expect(() => { exports.limit.value = 2; }).toThrow(TypeError);
    expect(() => new Instance(module, { env: {}, 'host module': {} })).toThrow(/unknown import/);
  });
});
