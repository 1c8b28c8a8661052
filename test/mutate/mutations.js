// The mutations of the mutation fuzzer (mutate.js) and the seeded
// randomness that picks them: bit flips, byte changes, truncation,
// insertion, deletion, section duplication, reordering and removal,
// overlong LEB128s, huge counts at count positions, and stray opcodes in
// function bodies. Edits inside a section can rewrite the sizes around them
// ("reframed"), so that decoding goes on into the changed bytes.
import { leb as uleb } from '../helpers/wasm-bytes.js';

// ---------------------------------------------------------------------------
// Seeded randomness: one independent stream per (seed, index).

/** sfc32, seeded through splitmix32 from the seed and the mutant's index. */
export function createRandom(seed, index) {
  let state = (seed ^ Math.imul(index + 1, 0x9e3779b1)) | 0;
  const splitmix = () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) | 0;
  };
  let a = splitmix(), b = splitmix(), c = splitmix(), d = splitmix();
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next();
  return {
    /** An integer in [0, n). */
    below: (n) => Math.floor((next() / 0x100000000) * n),
    /** True with probability p. */
    chance: (p) => next() / 0x100000000 < p,
    pick(items) {
      return items[this.below(items.length)];
    },
  };
}

// ---------------------------------------------------------------------------
// Just enough structure to aim mutations: section and function body
// boundaries, and where the counts and sizes are.

/** [value, length] of the u32 LEB128 at `pos`, or null when it is not one. */
function readLeb(bytes, pos, end = bytes.length) {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 5 && pos + i < end; i++) {
    const byte = bytes[pos + i];
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return [value, i + 1];
  }
  return null;
}

/**
 * Sections as { id, start, contentStart, end }, bodies of the code section
 * as { start, contentStart, end }, and the offsets of counts (vector
 * lengths, local declaration counts) and sizes. Stops at the first thing
 * that does not parse.
 */
export function layout(bytes) {
  const sections = [];
  const bodies = [];
  const counts = [];
  const sizes = [];
  let pos = 8;
  while (pos < bytes.length) {
    const size = readLeb(bytes, pos + 1);
    if (size === null) break;
    const contentStart = pos + 1 + size[1];
    const end = contentStart + size[0];
    if (end > bytes.length) break;
    const id = bytes[pos];
    sections.push({ id, start: pos, contentStart, end });
    sizes.push(pos + 1);
    // Every section but start (8) and data count (12) opens with a count or, custom, a name length.
    if (id !== 8 && id !== 12 && contentStart < end) counts.push(contentStart);
    if (id === 10) {
      const count = readLeb(bytes, contentStart, end);
      let at = count === null ? end : contentStart + count[1];
      for (let i = 0; count !== null && i < count[0] && at < end; i++) {
        const bodySize = readLeb(bytes, at, end);
        if (bodySize === null) break;
        const bodyStart = at + bodySize[1];
        const bodyEnd = bodyStart + bodySize[0];
        if (bodyEnd > end) break;
        bodies.push({ start: at, contentStart: bodyStart, end: bodyEnd });
        sizes.push(at);
        counts.push(bodyStart);
        const pairs = readLeb(bytes, bodyStart, bodyEnd);
        let local = pairs === null ? bodyEnd : bodyStart + pairs[1];
        for (let j = 0; pairs !== null && j < pairs[0] && local < bodyEnd; j++) {
          counts.push(local);
          const localCount = readLeb(bytes, local, bodyEnd);
          if (localCount === null) break;
          local += localCount[1] + 1;
        }
        at = bodyEnd;
      }
    }
    pos = end;
  }
  return { sections, bodies, counts, sizes };
}

/**
 * Replaces `removed` bytes at `pos` with `inserted`. With `reframe`, the
 * sizes of the section and function body around the edit are rewritten to
 * match, so the decoder reads on into the edited content instead of
 * stopping at a size mismatch.
 */
function splice(bytes, pos, removed, inserted, reframe) {
  const plain = () => {
    const out = new Uint8Array(bytes.length - removed + inserted.length);
    out.set(bytes.subarray(0, pos));
    out.set(inserted, pos);
    out.set(bytes.subarray(pos + removed), pos + inserted.length);
    return out;
  };
  if (!reframe) return plain();
  const { sections, bodies } = layout(bytes);
  const section = sections.find((s) => s.contentStart <= pos && pos + removed <= s.end);
  if (section === undefined) return plain();
  const edit = (from, to) => [...bytes.subarray(from, pos), ...inserted, ...bytes.subarray(pos + removed, to)];
  let content;
  const body = section.id === 10 ? bodies.find((b) => b.contentStart <= pos && pos + removed <= b.end) : undefined;
  if (body === undefined) {
    content = edit(section.contentStart, section.end);
  } else {
    const bodyContent = edit(body.contentStart, body.end);
    content = [...bytes.subarray(section.contentStart, body.start), ...uleb(bodyContent.length), ...bodyContent, ...bytes.subarray(body.end, section.end)];
  }
  const rebuilt = [section.id, ...uleb(content.length), ...content];
  const out = new Uint8Array(bytes.length - (section.end - section.start) + rebuilt.length);
  out.set(bytes.subarray(0, section.start));
  out.set(rebuilt, section.start);
  out.set(bytes.subarray(section.end), section.start + rebuilt.length);
  return out;
}

// Bytes that mean something in many places: ends, block types, type codes,
// continuation bits, prefixes.
const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x04, 0x05, 0x0b, 0x40, 0x41, 0x60, 0x6f, 0x70, 0x7b, 0x7c, 0x7f, 0x80, 0xc0, 0xfc, 0xfd, 0xfe, 0xff];
// Counts at and around the limits of decode-limits.ts, and far past everything.
const HUGE_COUNTS = [
  0xffffffff, 0x80000000, 0x7fffffff, 0x10000000, 1_000_000_000, 1_000_001, 10_000_001, 100_001,
  65_520, 65_521, 65_536, 65_537, 50_000, 50_001, 1_000, 1_001, 7_654_322,
];

/** Each mutation returns the new bytes and says what it did. */
const MUTATIONS = [
  ['flip bits', (bytes, random) => {
    const out = bytes.slice();
    const flips = 1 + random.below(4);
    const at = [];
    for (let i = 0; i < flips; i++) {
      const pos = 8 + random.below(out.length - 8);
      out[pos] ^= 1 << random.below(8);
      at.push(pos);
    }
    return [out, `at ${at.join(', ')}`];
  }],
  ['set a byte', (bytes, random) => {
    const out = bytes.slice();
    const pos = 8 + random.below(out.length - 8);
    out[pos] = random.chance(0.5) ? random.pick(INTERESTING_BYTES) : random.below(256);
    return [out, `at ${pos} to 0x${out[pos].toString(16)}`];
  }],
  ['truncate', (bytes, random) => {
    const length = random.below(bytes.length);
    return [bytes.slice(0, length), `to ${length} bytes`];
  }],
  ['insert bytes', (bytes, random) => {
    const pos = 8 + random.below(bytes.length - 7);
    const inserted = [];
    for (let n = 1 + random.below(8); n > 0; n--) inserted.push(random.chance(0.5) ? random.pick(INTERESTING_BYTES) : random.below(256));
    const reframe = random.chance(0.6);
    return [splice(bytes, pos, 0, inserted, reframe), `${inserted.length} at ${pos}${reframe ? ', reframed' : ''}`];
  }],
  ['delete bytes', (bytes, random) => {
    const pos = 8 + random.below(bytes.length - 8);
    const removed = Math.min(1 + random.below(8), bytes.length - pos);
    const reframe = random.chance(0.6);
    return [splice(bytes, pos, removed, [], reframe), `${removed} at ${pos}${reframe ? ', reframed' : ''}`];
  }],
  ['duplicate a section', (bytes, random) => {
    const { sections } = layout(bytes);
    if (sections.length === 0) return [bytes, 'none to duplicate'];
    const section = random.pick(sections);
    const copy = bytes.subarray(section.start, section.end);
    const target = random.pick(sections);
    const pos = random.chance(0.5) ? section.end : target.start;
    return [splice(bytes, pos, 0, [...copy], false), `id ${section.id} at ${pos}`];
  }],
  ['swap two sections', (bytes, random) => {
    const { sections } = layout(bytes);
    if (sections.length < 2) return [bytes, 'too few to swap'];
    const i = random.below(sections.length - 1);
    const j = i + 1 + random.below(sections.length - 1 - i);
    const [a, b] = [sections[i], sections[j]];
    const out = [...bytes.subarray(0, a.start), ...bytes.subarray(b.start, b.end), ...bytes.subarray(a.end, b.start), ...bytes.subarray(a.start, a.end), ...bytes.subarray(b.end)];
    return [new Uint8Array(out), `ids ${a.id} and ${b.id}`];
  }],
  ['drop a section', (bytes, random) => {
    const { sections } = layout(bytes);
    if (sections.length === 0) return [bytes, 'none to drop'];
    const section = random.pick(sections);
    return [splice(bytes, section.start, section.end - section.start, [], false), `id ${section.id}`];
  }],
  ['overlong LEB128', (bytes, random) => {
    const { counts, sizes } = layout(bytes);
    const positions = [...counts, ...sizes];
    const pos = positions.length > 0 && random.chance(0.8) ? random.pick(positions) : 8 + random.below(bytes.length - 8);
    const leb = readLeb(bytes, pos);
    if (leb === null) return [bytes, `no LEB128 at ${pos}`];
    const [value, length] = leb;
    // Padded to 5 bytes (valid), 6 (too long), or with bits past 32 set (too large).
    const kind = random.below(3);
    const encoded = uleb(value);
    while (encoded.length < (kind === 1 ? 6 : 5)) {
      encoded[encoded.length - 1] |= 0x80;
      encoded.push(0);
    }
    if (kind === 2) encoded[4] |= 0x10 << random.below(3);
    const reframe = !sizes.includes(pos) || random.chance(0.5);
    return [splice(bytes, pos, length, encoded, reframe), `at ${pos}, ${['5 bytes', '6 bytes', 'bits past 32'][kind]}`];
  }],
  ['huge count', (bytes, random) => {
    const { counts } = layout(bytes);
    const pos = counts.length > 0 && random.chance(0.9) ? random.pick(counts) : 8 + random.below(bytes.length - 8);
    const leb = readLeb(bytes, pos);
    if (leb === null) return [bytes, `no LEB128 at ${pos}`];
    const value = random.pick(HUGE_COUNTS);
    return [splice(bytes, pos, leb[1], uleb(value), true), `${value} at ${pos}`];
  }],
  ['stray opcode', (bytes, random) => {
    const { bodies } = layout(bytes);
    if (bodies.length === 0) return [bytes, 'no function bodies'];
    const body = random.pick(bodies);
    const pos = body.contentStart + random.below(body.end - body.contentStart);
    // An opcode (0xFC-prefixed one time in four) and up to three LEB128 immediates.
    const inserted = random.chance(0.25) ? [0xfc, ...uleb(random.below(24))] : [random.below(256)];
    for (let n = random.below(4); n > 0; n--) inserted.push(...uleb(random.chance(0.7) ? random.below(8) : random.below(0x100000000)));
    return [splice(bytes, pos, 0, inserted, true), `${inserted.map((byte) => byte.toString(16)).join(' ')} at ${pos}`];
  }],
  ['locals near the limit', (bytes, random) => {
    // Each function gets i32 locals after its own, up to about 50,000: a
    // few bytes of input each, and as valid as before.
    const { sections, bodies } = layout(bytes);
    const code = sections.find((section) => section.id === 10);
    if (code === undefined || bodies.length === 0) return [bytes, 'no function bodies'];
    const target = 49_000 + random.below(1_001);
    const content = [...bytes.subarray(code.contentStart, bodies[0].start)];
    for (const body of bodies) {
      const pairs = readLeb(bytes, body.contentStart, body.end);
      if (pairs === null) return [bytes, 'unreadable local declarations'];
      let pairsEnd = body.contentStart + pairs[1];
      let declared = 0;
      for (let i = 0; i < pairs[0]; i++) {
        const count = readLeb(bytes, pairsEnd, body.end);
        if (count === null) return [bytes, 'unreadable local declarations'];
        declared += count[0];
        pairsEnd += count[1] + 1;
      }
      const added = [...uleb(pairs[0] + 1), ...bytes.subarray(body.contentStart + pairs[1], pairsEnd), ...uleb(Math.max(0, target - declared)), 0x7f, ...bytes.subarray(pairsEnd, body.end)];
      content.push(...uleb(added.length), ...added);
    }
    content.push(...bytes.subarray(bodies[bodies.length - 1].end, code.end));
    const section = [10, ...uleb(content.length), ...content];
    return [new Uint8Array([...bytes.subarray(0, code.start), ...section, ...bytes.subarray(code.end)]), `${target} in each of ${bodies.length} functions`];
  }],
];

export const MUTATION_NAMES = MUTATIONS.map(([name]) => name);

/**
 * Mutant `index` of run `seed`: a base module from the corpus and one
 * mutation, sometimes two or three (each one more makes it likelier that
 * decoding stops early). The mutations named in `without` are left out,
 * which makes different mutants of the same (seed, index).
 */
export function createMutant(corpus, seed, index, without = []) {
  const mutations = MUTATIONS.filter(([name]) => !without.includes(name));
  const random = createRandom(seed, index);
  const base = corpus[random.below(corpus.length)];
  let bytes = base.bytes;
  const steps = [];
  for (let n = random.chance(0.6) ? 1 : random.chance(0.75) ? 2 : 3; n > 0 && bytes.length > 8; n--) {
    const [name, mutate] = random.pick(mutations);
    const [mutated, detail] = mutate(bytes, random);
    bytes = mutated;
    steps.push(`${name} ${detail}`);
  }
  const tune = random.chance(0.25) ? 'interpreter' : 'jit';
  return { index, base: base.name, steps, tune, bytes };
}
