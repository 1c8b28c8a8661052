// Prints syntax trees as JavaScript text (astring), compactly by default.
//
// Functions are printed one at a time, as soon as each is emitted, and the
// module's tree holds their text in `RawCode` nodes: a module's trees are
// then never all alive at once, which kept SQLite's compile mostly in the
// garbage collector and a 16 MB module's at gigabytes. The run-time compiler
// prints a function only when it is first called (see emit.ts, lazy mode).
//
// Compact output has no indentation (27-52% of typical output, 76% of a Go
// module's) and no optional space (print-compact.ts prints functions): one
// statement a line keeps it readable enough for stack traces and for diffs.
// `pretty` prints with astring, indenting two spaces a level, for reading.
//
// For a source map (sourcemap.ts), functions are printed recording where
// each statement with a wasm `offset` starts (print-compact.ts does it for
// compact output; here a copy of the generator notes astring's output
// length as each statement begins), and a RawCode node carries its text's
// marks, which the module's printer moves to where the text lands.

import { GENERATOR, generate } from 'astring';
import type { JsNode } from './js.js';
import { endsWithOpenIf, printCompactFunction } from './print-compact.js';

/** A node that prints as the given text: a function already printed (`marks`: its statements' positions, for a source map). */
export function rawCode(text: string, marks: number[] | null = null): JsNode {
  return marks === null ? { type: 'RawCode', text } : { type: 'RawCode', text, marks };
}

const generator = Object.assign({}, GENERATOR, {
  RawCode(node: JsNode, state: { write(text: string): void }): void {
    state.write(node.text);
  },
  // astring prints `if (a) if (b) x; else y;` for an else of the outer if,
  // which gives the else to the inner one: such a consequent goes in braces.
  IfStatement(node: JsNode, state: unknown): void {
    const braced = node.alternate !== null && endsWithOpenIf(node.consequent)
      ? { ...node, consequent: { type: 'BlockStatement', body: [node.consequent] } }
      : node;
    (GENERATOR as any).IfStatement.call(this, braced, state);
  },
});

/** Where the mapping generator records positions (pairs: output offset, wasm offset); NO_MARKS between prints. */
const NO_MARKS: number[] = [];
let marks: number[] = NO_MARKS;

/**
 * The generator for printing with a source map: every statement notes where
 * it starts (astring writes a statement's indentation before calling its
 * generator), and RawCode adds the marks of its text, moved to where it lands.
 */
const mappingGenerator: Record<string, unknown> = Object.assign({}, generator, {
  RawCode(node: JsNode, state: { output: string; write(text: string): void }): void {
    const start = state.output.length;
    const inner: number[] | undefined = node.marks;
    if (inner !== undefined) for (let i = 0; i < inner.length; i += 2) marks.push(start + inner[i], inner[i + 1]);
    state.write(node.text);
  },
});
for (const type of Object.keys(generator)) {
  if (!/(Statement|Declaration)$/.test(type)) continue;
  const print = (generator as any)[type] as (this: unknown, node: JsNode, state: { output: string }) => void;
  mappingGenerator[type] = function (this: unknown, node: JsNode, state: { output: string }): void {
    if (node.offset !== undefined) marks.push(state.output.length, node.offset);
    print.call(this, node, state);
  };
}

/** Indentation a level: none, or two spaces when pretty. */
const indent = (pretty: boolean): string => (pretty ? '  ' : '');

/** The program's text; with `into`, the marks of its RawCode nodes (and statements), moved to where they are in it. */
export function printProgram(program: JsNode, pretty: boolean, into: number[] | null = null): string {
  if (into === null) return generate(program as any, { generator, indent: indent(pretty) } as any);
  marks = into;
  const text: string = generate(program as any, { generator: mappingGenerator, indent: indent(pretty) } as any);
  marks = NO_MARKS;
  return text;
}

/**
 * A FunctionDeclaration printed on its own, to sit at `level` (its body one
 * deeper): the statement that holds it writes the first line's indentation.
 * With `into`, the positions of its statements that carry a wasm offset are
 * appended to it (pairs: offset in the text, wasm offset).
 */
export function printFunction(fn: JsNode, pretty: boolean, level: number, into: number[] | null = null): string {
  if (!pretty) return printCompactFunction(fn, into);
  let text: string;
  if (into === null) {
    text = generate(fn as any, { generator, indent: indent(pretty), startingIndentLevel: level } as any);
  } else {
    marks = into;
    text = generate(fn as any, { generator: mappingGenerator, indent: indent(pretty), startingIndentLevel: level } as any);
    marks = NO_MARKS;
  }
  // astring appends piece by piece, which V8 keeps as a rope of small
  // strings until something reads it; reading a character makes it one
  // flat string now, while the function's text is kept until the module is.
  text.charCodeAt(0);
  return text;
}
