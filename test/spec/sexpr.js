// Tokenizer and parser for .wast scripts: S-expressions with atoms, strings,
// line comments (`;; ...`) and nested block comments (`(; ... ;)`). It knows
// nothing about commands; script.js gives the lists their meaning.
//
// The source is read as latin1 so that one character is one byte: list nodes
// keep their byte offsets (a text module is handed to the assembler as the
// exact bytes of its slice), and raw non-ASCII characters inside string
// literals become the UTF-8 bytes that the file holds.

/**
 * @typedef {{ type: 'list', items: Node[], start: number, end: number, line: number }} ListNode
 * @typedef {{ type: 'atom', value: string, line: number }} AtomNode
 * @typedef {{ type: 'string', bytes: Uint8Array, line: number }} StringNode
 * @typedef {ListNode | AtomNode | StringNode} Node
 */

export class ParseError extends Error {}

const OPEN = 0x28; // (
const CLOSE = 0x29; // )
const QUOTE = 0x22; // "
const SEMI = 0x3b; // ;

/** Whitespace in the text format: space, tab, newline, carriage return. */
function isSpace(code) {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/**
 * Parses a whole script into its top-level lists.
 * @param {string} source latin1 text (one char per byte)
 * @returns {ListNode[]}
 */
export function parseScript(source) {
  let pos = 0;
  let line = 1;
  /** @type {ListNode[]} */
  const stack = [];
  /** @type {ListNode[]} */
  const top = [];

  const fail = (message) => {
    throw new ParseError(`${message} (line ${line})`);
  };

  const push = (node) => {
    if (stack.length === 0) {
      if (node.type !== 'list') fail(`unexpected ${node.type} at top level`);
      top.push(node);
    } else {
      stack[stack.length - 1].items.push(node);
    }
  };

  while (pos < source.length) {
    const code = source.charCodeAt(pos);
    if (code === 0x0a) {
      line++;
      pos++;
    } else if (isSpace(code)) {
      pos++;
    } else if (code === SEMI && source.charCodeAt(pos + 1) === SEMI) {
      while (pos < source.length && source.charCodeAt(pos) !== 0x0a) pos++;
    } else if (code === OPEN && source.charCodeAt(pos + 1) === SEMI) {
      let depth = 0;
      do {
        if (pos >= source.length) fail('unterminated block comment');
        const c = source.charCodeAt(pos);
        if (c === OPEN && source.charCodeAt(pos + 1) === SEMI) {
          depth++;
          pos += 2;
        } else if (c === SEMI && source.charCodeAt(pos + 1) === CLOSE) {
          depth--;
          pos += 2;
        } else {
          if (c === 0x0a) line++;
          pos++;
        }
      } while (depth > 0);
    } else if (code === OPEN) {
      stack.push({ type: 'list', items: [], start: pos, end: -1, line });
      pos++;
    } else if (code === CLOSE) {
      const node = stack.pop();
      if (!node) fail('unbalanced )');
      pos++;
      node.end = pos;
      push(node);
    } else if (code === QUOTE) {
      const startLine = line;
      const [bytes, next] = readString(source, pos, fail);
      for (let i = pos; i < next; i++) if (source.charCodeAt(i) === 0x0a) line++;
      pos = next;
      push({ type: 'string', bytes, line: startLine });
    } else {
      const start = pos;
      while (pos < source.length) {
        const c = source.charCodeAt(pos);
        if (isSpace(c) || c === OPEN || c === CLOSE || c === QUOTE || c === SEMI) break;
        pos++;
      }
      push({ type: 'atom', value: source.slice(start, pos), line });
    }
  }
  if (stack.length > 0) fail(`unterminated list opened on line ${stack[stack.length - 1].line}`);
  return top;
}

const HEX = /^[0-9a-fA-F]$/;

/**
 * Reads a string literal starting at the opening quote. Escapes: \t \n \r
 * \" \' \\, \hh (one byte), \u{h...} (a code point, UTF-8 encoded). Raw
 * characters are bytes already (latin1 source).
 * @returns {[Uint8Array, number]} the bytes and the offset after the closing quote
 */
function readString(source, pos, fail) {
  const bytes = [];
  pos++;
  for (;;) {
    if (pos >= source.length) fail('unterminated string');
    const c = source[pos];
    if (c === '"') return [Uint8Array.from(bytes), pos + 1];
    if (c !== '\\') {
      bytes.push(source.charCodeAt(pos));
      pos++;
      continue;
    }
    const e = source[pos + 1];
    pos += 2;
    switch (e) {
      case 't': bytes.push(0x09); break;
      case 'n': bytes.push(0x0a); break;
      case 'r': bytes.push(0x0d); break;
      case '"': bytes.push(0x22); break;
      case "'": bytes.push(0x27); break;
      case '\\': bytes.push(0x5c); break;
      case 'u': {
        if (source[pos] !== '{') fail('bad \\u escape');
        const close = source.indexOf('}', pos);
        if (close < 0) fail('bad \\u escape');
        const codePoint = parseInt(source.slice(pos + 1, close).replaceAll('_', ''), 16);
        bytes.push(...new TextEncoder().encode(String.fromCodePoint(codePoint)));
        pos = close + 1;
        break;
      }
      default:
        if (HEX.test(e) && HEX.test(source[pos])) {
          bytes.push(parseInt(e + source[pos], 16));
          pos++;
        } else {
          fail(`bad escape \\${e}`);
        }
    }
  }
}

// ignoreBOM: a leading U+FEFF is part of a name (names.wast tests it).
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** A string literal's bytes as a JS string (names of exports, registrations). */
export function stringValue(node) {
  return utf8.decode(node.bytes);
}

/** `(head ...)`: the first atom of a list, or undefined. */
export function head(node) {
  return node.type === 'list' && node.items[0]?.type === 'atom' ? node.items[0].value : undefined;
}
