// Text modules of a script -> binaries, for the engine under test to judge.
// Assembly is not validation: an invalid module must reach the engine intact.
//
// wabt assembles everything up to the 3.0 proposals without typed
// references. It reads some typed-reference text (`(ref $t)`, `call_ref`)
// but writes the function-references draft's encoding (0x6b for `(ref $t)`,
// a garbled heap type in imports), which no engine reads any more, and it
// reads no struct, array, sub or rec at all. So a module whose text uses
// typed references or GC (usesTypedReferences) goes to binaryen, the
// optional peer dependency, and so does any module wabt cannot read.
// binaryen's parser does not validate either, but it re-encodes what it
// reads: types in its own order, rec groups canonicalised, `ref.null $t` as
// the bottom type's null, select and block types as it infers them, and a
// call_ref or array.copy of a literal null as `unreachable` (the trap is
// then "unreachable", not the null's: call_ref.wast:97). A valid module
// behaves the same; an invalid one may come out valid (see validity), and
// binaryen refuses outright the invalid modules it cannot represent (an
// out-of-range type index, a bad supertype): assert_invalid skips both.
//
// So where it is installed (the dev dependency @bytecodealliance/jco-transpile,
// which carries wasm-tools built to wasm), the `wat` crate of wasm-tools
// assembles those modules instead: it writes every module as written,
// invalid ones included, and binaryen remains the fallback without it.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dataSegmentMemories, repairDataMemories } from './wabt-fixes.js';

/** wasm-tools' text parser, once loadWasmTools has run: text -> bytes; null when not installed. */
let wasmToolsParse = null;

/**
 * Loads wasm-tools (jco-transpile's build of it) and waits for it to be
 * ready, so that assembling stays synchronous; false when it is not
 * installed. Its `tools` object is the vendored component's: the package's
 * own `parse` is async only to wait for the same readiness.
 */
export async function loadWasmTools() {
  try {
    const require = createRequire(import.meta.url);
    const main = require.resolve('@bytecodealliance/jco-transpile/wasm-tools');
    const vendor = join(dirname(main), '..', 'vendor', 'wasm-tools.js');
    const { $init, tools } = await import(pathToFileURL(vendor).href);
    await $init;
    wasmToolsParse = (text) => tools.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A module's text assembled by wasm-tools: `{ bytes }` or `{ error }`. */
function assembleWithWasmTools(text) {
  try {
    return { bytes: wasmToolsParse(text) };
  } catch (error) {
    return { error: String(error?.payload ?? error?.message ?? error).split('\n')[0] };
  }
}

/**
 * wabt features: everything in WebAssembly 2.0, relaxed SIMD, and the 3.0
 * proposals the runner runs. `exceptions` is both encodings of exception
 * handling: try_table, throw_ref and exnref, and the legacy try, catch,
 * delegate and rethrow.
 */
const WABT_FEATURES = {
  multi_value: true,
  bulk_memory: true,
  reference_types: true,
  sign_extension: true,
  sat_float_to_int: true,
  mutable_globals: true,
  simd: true,
  relaxed_simd: true,
  extended_const: true,
  tail_call: true,
  multi_memory: true,
  memory64: true,
  exceptions: true,
};

/**
 * binaryen features: WebAssembly 3.0 and relaxed SIMD, given to the parser
 * too (without GC it rejects two identical `(type (array (mut i32)))`, as
 * the binary would merge them) and to the writer. Not `Features.All`: with
 * custom descriptors on, binaryen writes exact references (`ref.func` is
 * `(ref exact $t)` to it) into local and select types, which no 3.0 engine
 * reads.
 */
function binaryenFeatures(binaryen) {
  const F = binaryen.Features;
  return F.MutableGlobals | F.NontrappingFPToInt | F.SIMD128 | F.BulkMemory | F.BulkMemoryOpt | F.SignExt |
    F.Multivalue | F.ReferenceTypes | F.CallIndirectOverlong | F.ExtendedConst | F.TailCall | F.MultiMemory |
    F.Memory64 | F.ExceptionHandling | F.RelaxedSIMD | F.GC;
}

/**
 * Text only typed function references or GC have: the `(ref ...)`, `rec`,
 * `sub`, `struct`, `array` and `field` forms, the GC shorthands (anyref,
 * eqref, ...), their instructions, and `ref.null` of a heap type 2.0 lacks.
 * A word in a comment can only send a module to binaryen needlessly.
 */
const TYPED_REFERENCE_TEXT = new RegExp(
  [
    String.raw`\((?:ref|rec|sub|struct|array|field)[\s)]`,
    String.raw`\b(?:any|eq|i31|struct|array|null|nullfunc|nullextern|nullexn)ref\b`,
    String.raw`\b(?:call_ref|return_call_ref|ref\.as_non_null|br_on_null|br_on_non_null|br_on_cast|br_on_cast_fail|ref\.test|ref\.cast|ref\.eq|ref\.i31|i31\.get_[su]|struct\.[a-z_]+|array\.[a-z_]+|any\.convert_extern|extern\.convert_any)\b`,
    String.raw`\bref\.null\s+(?:\$|\d|any|eq|i31|struct|array|none|nofunc|noextern|noexn)`,
  ].join('|'),
);

/** Does a module's text use typed references or GC (see TYPED_REFERENCE_TEXT)? */
export function usesTypedReferences(text) {
  return TYPED_REFERENCE_TEXT.test(text);
}

/**
 * `(module $name? ...)`: its name and bytes. quote and text modules are
 * assembled with wabt, or binaryen (see the top of this file); an assembler
 * failure is returned as `assemblyError`.
 * @param {import('./sexpr.js').Node} node
 * @param {string} source the script the node's positions refer to
 * @param {any} wabt an initialised wabt instance
 * @param {any} [binaryen] an initialised binaryen, or null: then wabt assembles everything it can
 * @param {{ checkValidity?: boolean }} [options] checkValidity: for a module binaryen assembles, say
 *   whether binaryen's validator accepts the binary it wrote (`assembledValid`), for assert_invalid
 * @returns {{ name?: string, form: 'text' | 'binary' | 'quote', definition: boolean, bytes?: Uint8Array,
 *   assemblyError?: string, assembler?: 'binaryen', assembledValid?: boolean }}
 */
export function assembleModule(node, source, wabt, binaryen = null, { checkValidity = false } = {}) {
  const items = node.items;
  let index = 1;
  let name;
  // `(module definition ...)`: a module to compile, not to instantiate (3.0 scripts).
  const definition = items[index]?.type === 'atom' && items[index].value === 'definition';
  if (definition) index++;
  if (items[index]?.type === 'atom' && items[index].value.startsWith('$')) name = items[index++].value;
  const form = items[index]?.type === 'atom' && (items[index].value === 'binary' || items[index].value === 'quote')
    ? items[index].value
    : 'text';
  if (form === 'binary') return { name, form, definition, bytes: concatStrings(items.slice(index + 1)) };
  const sliced = source.slice(node.start, node.end);
  // The text the assemblers see: a definition as a plain module; for binaryen, element items wrapped
  // (on the text as sliced, whose offsets the nodes give).
  const asModule = (text) => (definition ? text.replace(/^\(module\s+definition\b/, '(module') : text);
  const moduleText = asModule(sliced);
  const binaryenText = () => asModule(wrapElementItems(sliced, node));
  const quoted = form === 'quote' ? Buffer.concat([Buffer.from('(module '), concatStrings(items.slice(index + 1)), Buffer.from(')')]) : null;

  if (form === 'text' && wasmToolsParse !== null && usesTypedReferences(withoutComments(moduleText))) {
    const { bytes, error } = assembleWithWasmTools(moduleText);
    if (bytes) return { name, form, definition, bytes, assembler: 'wasm-tools' };
    return { name, form, definition, assemblyError: `wasm-tools: ${error}` };
  }
  if (form === 'text' && binaryen !== null && usesTypedReferences(withoutComments(moduleText))) {
    const { bytes, error } = assembleWithBinaryen(binaryen, binaryenText());
    if (bytes) return { name, form, definition, bytes, assembler: 'binaryen', ...validity(binaryen, bytes, checkValidity) };
    return { name, form, definition, assemblyError: `binaryen: ${error}` };
  }
  // A fresh Uint8Array: wabt reads the whole underlying ArrayBuffer of what it is given.
  const text = new Uint8Array(quoted ?? Buffer.from(moduleText, 'latin1'));
  let parsed;
  try {
    parsed = wabt.parseWat('module.wat', text, WABT_FEATURES);
    const bytes = parsed.toBinary({}).buffer;
    // wabt.js drops the memory index of data segments (wabt-fixes.js).
    const memories = form === 'text' ? dataSegmentMemories(items.slice(index)) : null;
    return { name, form, definition, bytes: memories === null ? bytes : repairDataMemories(bytes, memories) };
  } catch (error) {
    if (form === 'text' && wasmToolsParse !== null) {
      const { bytes } = assembleWithWasmTools(moduleText);
      if (bytes) return { name, form, definition, bytes, assembler: 'wasm-tools' };
    }
    const fallback = form === 'text' && binaryen !== null ? assembleWithBinaryen(binaryen, binaryenText()) : null;
    if (fallback?.bytes) return { name, form, definition, bytes: fallback.bytes, assembler: 'binaryen', ...validity(binaryen, fallback.bytes, checkValidity) };
    return { name, form, definition, assemblyError: wabtMessage(error) };
  } finally {
    parsed?.destroy();
  }
}

/**
 * A text module assembled by binaryen: `{ bytes }`, or `{ error }` with
 * binaryen's message when it cannot read it (an unknown name, say, or a
 * type error it cannot represent; what it can represent it writes as is).
 */
function assembleWithBinaryen(binaryen, text) {
  const features = binaryenFeatures(binaryen);
  let module = null;
  try {
    module = binaryen.parseText(text, features);
    module.setFeatures(features);
    return { bytes: module.emitBinary() };
  } catch (error) {
    return { error: String(error?.message ?? error).split('\n')[0] };
  } finally {
    module?.dispose();
  }
}

/**
 * Whether binaryen's validator accepts a binary that binaryen wrote, when
 * asked: binaryen cannot represent some invalid code, and writes it valid.
 * It drops the unreachable code after `unreachable` (and any type error in
 * it: gc/unreached-invalid.wast, call_ref.wast:167), infers the types of
 * select, br_on_cast and blocks from their operands instead of writing the
 * ones the text gives (select.wast:383, br_on_cast.wast:225), and leaves
 * out unnamed blocks (local_init.wast:29). Such a binary cannot test that
 * the engine rejects the module; assert_invalid skips it. This asks of the
 * bytes, read back, not of the text: the repairs happen in the writer. The
 * price: binaryen's reader also mends a non-nullable local read before it
 * is set, so the binaries of local_init.wast:25 and :52 and func.wast:659,
 * invalid as they should be, are skipped too. Not checked: a segment of
 * ref.func items typed funcref, written in the function-index encoding,
 * which 3.0 types (ref func) (gc/elem.wast:516 then compiles).
 * (binaryen's validator prints what it finds: silenced.)
 */
function validity(binaryen, bytes, checkValidity) {
  if (!checkValidity) return {};
  const features = binaryenFeatures(binaryen);
  let module = null;
  try {
    module = binaryen.readBinary(bytes, features);
    module.setFeatures(features);
    return { assembledValid: silenced(() => Boolean(module.validate())) };
  } catch {
    return { assembledValid: false };
  } finally {
    module?.dispose();
  }
}

/** Runs `f` with process.stdout and process.stderr swallowing what is written (binaryen's validator prints). */
function silenced(f) {
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) stream.write = () => true;
  try {
    return f();
  } finally {
    streams.forEach((stream, i) => (stream.write = writes[i]));
  }
}

/**
 * binaryen's parser takes an element segment's item in the abbreviated form
 * (a lone instruction, not in `(item ...)`) only when it is one plain
 * instruction: `(ref.func $f)`, but not `(array.new $t (i32.const 7)
 * (i32.const 3))`, "expected end of element expression" (gc/array.wast:205,
 * gc/array_new_elem.wast). The spec's abbreviation is any folded
 * instruction, so this writes each item of an expression-list segment as
 * `(item ...)`, which means the same.
 * @param {string} text the module's text, as sliced from the script
 * @param {import('./sexpr.js').ListNode} node the module's node (its positions are in the script)
 */
function wrapElementItems(text, node) {
  const items = [];
  for (const field of node.items) {
    if (field.type !== 'list' || field.items[0]?.type !== 'atom' || field.items[0].value !== 'elem') continue;
    items.push(...elementExpressions(field));
  }
  if (items.length === 0) return text;
  let out = '';
  let at = 0;
  for (const item of items) {
    const start = item.start - node.start;
    const end = item.end - node.start;
    out += text.slice(at, start) + '(item ' + text.slice(start, end) + ')';
    at = end;
  }
  return out + text.slice(at);
}

/**
 * The items of `(elem $id? declare? (table x)? offset? reftype item*)` that
 * are lone instructions: after a reference type (an atom `...ref` or a
 * `(ref ...)` list), every list but `(item ...)`. Segments of function
 * indices (`func $f ...`, or the 2.0 `(elem (i32.const 0) $f ...)`) have none.
 */
function elementExpressions(field) {
  let index = 1;
  const isAtom = (node) => node?.type === 'atom';
  const listHead = (node) => (node?.type === 'list' && isAtom(node.items[0]) ? node.items[0].value : undefined);
  if (isAtom(field.items[index]) && field.items[index].value.startsWith('$')) index++;
  if (isAtom(field.items[index]) && field.items[index].value === 'declare') index++;
  if (listHead(field.items[index]) === 'table') index++;
  // An offset: `(offset ...)` or a folded instruction, before the type; a type is an atom or `(ref ...)`.
  if (field.items[index]?.type === 'list' && listHead(field.items[index]) !== 'ref') index++;
  const type = field.items[index];
  const isType = (isAtom(type) && type.value.endsWith('ref')) || listHead(type) === 'ref';
  if (!isType) return [];
  return field.items.slice(index + 1).filter((item) => item.type === 'list' && listHead(item) !== 'item');
}

/** The text without its comments, for usesTypedReferences. */
function withoutComments(text) {
  return text.replace(/\(;[\s\S]*?;\)/g, ' ').replace(/;;.*$/gm, '');
}

/** The bytes of a list of string nodes, as a Uint8Array of its own. */
export function concatStrings(nodes) {
  return new Uint8Array(Buffer.concat(nodes.map((node) => {
    if (node.type !== 'string') throw new Error(`expected a string on line ${node.line}`);
    return node.bytes;
  })));
}

/** wabt's first diagnostic, without the file name and position. */
function wabtMessage(error) {
  const text = String(error?.message ?? error);
  const diagnostic = /error: (.*)/.exec(text);
  return diagnostic ? diagnostic[1] : text.split('\n')[0];
}
