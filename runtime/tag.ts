// WebAssembly.Tag (exception handling, WebAssembly 3.0): the identity of a
// kind of exception and the types of its payload. Exceptions match by tag
// object, never by type: two tags with the same parameters are different
// tags. Compiled code reads `_type` (the parameters as a function type
// without results, as the JS API draws tag types).

import type { FuncTypeDesc, ValueTypeName } from './abi.js';
import { toValueType } from './global.js';
import { asWebIDLInterface, member, toDictionary, toSequence } from './webidl.js';

const tags: WeakSet<object> = new WeakSet();

export function isTag(value: unknown): value is Tag {
  return typeof value === 'object' && value !== null && tags.has(value);
}

/** `value` as a Tag, else a TypeError naming the caller. */
export function toTag(value: unknown, what: string): Tag {
  if (!isTag(value)) throw new TypeError(`${what} must be a WebAssembly.Tag`);
  return value;
}

/** The JS API's name of a value type ("anyfunc" for funcref, as ValueType spells it). */
const typeName = (type: ValueTypeName): string => (type === 'funcref' ? 'anyfunc' : type);

export class Tag {
  /** The parameters, as a function type without results (internal API). */
  _type: FuncTypeDesc;

  constructor(type: { parameters: Iterable<string> }) {
    const dictionary = toDictionary(type, 'WebAssembly.Tag()');
    const parameters = member(dictionary, 'parameters');
    if (parameters === undefined) throw new TypeError('WebAssembly.Tag(): the tag type needs `parameters`, a sequence of value types');
    const params = toSequence(parameters, 'WebAssembly.Tag(): parameters').map((name) => toValueType(name, 'WebAssembly.Tag()'));
    this._type = { params, results: [] };
    tags.add(this);
  }

  /** The tag's type, `{ parameters: [...] }` (type reflection). */
  type(): { parameters: string[] } {
    const tag = toTag(this, 'WebAssembly.Tag.prototype.type: the receiver');
    return { parameters: tag._type.params.map(typeName) };
  }
}

asWebIDLInterface(Tag, 'WebAssembly.Tag', 1);

/** A Tag of a wasm module's own (a tag section entry), with a type from its descriptor. */
export function makeTag(type: FuncTypeDesc): Tag {
  const tag = new Tag({ parameters: [] });
  tag._type = type;
  return tag;
}
