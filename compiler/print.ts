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

import { GENERATOR, generate } from 'astring';
import type { JsNode } from './js.js';
import { endsWithOpenIf, printCompactFunction } from './print-compact.js';

/** A node that prints as the given text: a function already printed. */
export function rawCode(text: string): JsNode {
  return { type: 'RawCode', text };
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

/** Indentation a level: none, or two spaces when pretty. */
const indent = (pretty: boolean): string => (pretty ? '  ' : '');

export function printProgram(program: JsNode, pretty: boolean): string {
  return generate(program as any, { generator, indent: indent(pretty) } as any);
}

/**
 * A FunctionDeclaration printed on its own, to sit at `level` (its body one
 * deeper): the statement that holds it writes the first line's indentation.
 */
export function printFunction(fn: JsNode, pretty: boolean, level: number): string {
  if (!pretty) return printCompactFunction(fn);
  const text: string = generate(fn as any, { generator, indent: indent(pretty), startingIndentLevel: level } as any);
  // astring appends piece by piece, which V8 keeps as a rope of small
  // strings until something reads it; reading a character makes it one
  // flat string now, while the function's text is kept until the module is.
  text.charCodeAt(0);
  return text;
}
