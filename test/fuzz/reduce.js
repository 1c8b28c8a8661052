// A delta reducer for divergent modules. binaryen's wasm-reduce cannot run
// here (its Emscripten build has no way to spawn the test command), and it
// would rewrite the code through binaryen's tree IR anyway, which changes
// the operand-stack shapes that emitter bugs hang on. This one cuts the
// binary itself, along instruction boundaries, so whatever survives keeps
// its exact stack shape:
//   - calls dropped from the plan, exports dropped from the module;
//   - whole function bodies replaced by `unreachable`;
//   - whole blocks, loops and ifs deleted, replaced by `unreachable`, or
//     unwrapped (their contents kept);
//   - runs of instructions deleted, or replaced by one `unreachable`
//     (after which anything validates), halving the run length down to 1;
//   - data segments dropped, locals declared but unused dropped;
//   - binaryen passes that clean up what is left unused
//     (--remove-unused-module-elements and friends), as candidates like any
//     other: kept only if the divergence survives them.
// A candidate must validate natively (WebAssembly.validate, cheap) and then
// still diverge the same way (`stillDiverges`, which the caller runs with a
// time limit). Everything stops at the deadline; the result is the smallest
// module found so far.

import { parseModule, decodeBody, encodeModule, encodeCode, encodeExports, withSection, concat, vector, u32, dataSegments, localGroups, SECTION } from './wasm-binary.js';

const UNREACHABLE_BODY = Uint8Array.of(0x00, 0x00, 0x0b); // no locals; unreachable; end
const UNREACHABLE = Uint8Array.of(0x00);

/**
 * @param {{ bytes: Uint8Array, plan: { export: string, args: string[] }[] }} start
 * @param {(bytes: Uint8Array, plan: object[]) => Promise<boolean>} stillDiverges
 * @param {{ seconds?: number, binaryenPasses?: (bytes: Uint8Array) => Uint8Array[], log?: (text: string) => void }} [options]
 *   binaryenPasses: candidate rewrites of a module by binaryen (see run.js), tried as they are
 * @returns {Promise<{ bytes: Uint8Array, plan: object[], tests: number, timedOut: boolean }>}
 */
export async function reduce(start, stillDiverges, { seconds = 60, binaryenPasses, log = () => {} } = {}) {
  const deadline = Date.now() + seconds * 1000;
  let best = { bytes: start.bytes, plan: start.plan };
  let tests = 0;
  const expired = () => Date.now() > deadline;

  /** Keeps `candidate` if it is smaller, valid and still diverges. */
  async function attempt(candidate) {
    if (expired()) return false;
    const plan = prunePlan(candidate.plan, candidate.bytes);
    if (!smaller({ bytes: candidate.bytes, plan }, best)) return false;
    if (!WebAssembly.validate(candidate.bytes)) return false;
    tests++;
    if (!(await stillDiverges(candidate.bytes, plan))) return false;
    best = { bytes: candidate.bytes, plan };
    return true;
  }

  for (let round = 1; !expired(); round++) {
    const before = best;
    await reducePlan(attempt, () => best);
    await reduceExports(attempt, () => best);
    await replaceBodies(attempt, () => best);
    if (binaryenPasses) for (const bytes of binaryenPasses(best.bytes)) await attempt({ bytes, plan: best.plan });
    await cutBlocks(attempt, () => best, expired);
    await cutInstructions(attempt, () => best, expired);
    await dropDataSegments(attempt, () => best);
    await trimLocals(attempt, () => best);
    log(`reduce round ${round}: ${best.bytes.length} bytes, ${best.plan.length} calls, ${tests} tests`);
    if (best === before) break;
  }
  return { ...best, tests, timedOut: expired() };
}

/** Smaller: fewer bytes, else fewer calls, else fewer locals declared (a count shrinks without losing a byte). */
function smaller(a, b) {
  const cost = ({ bytes, plan }) => [bytes.length, plan.length, declaredLocals(bytes)];
  const [x, y] = [cost(a), cost(b)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i];
  return false;
}

function declaredLocals(bytes) {
  try {
    return parseModule(bytes).bodies.reduce((sum, body) => sum + localGroups(body).groups.reduce((n, [count]) => n + count, 0), 0);
  } catch {
    return Infinity;
  }
}

/** Calls of exports the module no longer has are dropped. */
function prunePlan(plan, bytes) {
  const names = new Set(parseModule(bytes).exports.filter((entry) => entry.kind === 'function').map((entry) => entry.name));
  return plan.filter((call) => names.has(call.export));
}

/** Drops calls: first all but the last, then halves, quarters, ..., single calls. */
async function reducePlan(attempt, current) {
  for (let size = Math.max(1, current().plan.length >> 1); size >= 1; size >>= 1) {
    for (let i = 0; i < current().plan.length; ) {
      const { bytes, plan } = current();
      if (!(await attempt({ bytes, plan: [...plan.slice(0, i), ...plan.slice(i + size)] }))) i += size;
    }
  }
}

async function reduceExports(attempt, current) {
  const exportsOf = () => parseModule(current().bytes).exports;
  for (let size = Math.max(1, exportsOf().length >> 1); size >= 1; size >>= 1) {
    for (let i = 0; i < exportsOf().length; ) {
      const module = parseModule(current().bytes);
      const exports = [...module.exports.slice(0, i), ...module.exports.slice(i + size)];
      const bytes = encodeModule(withSection(module.sections, SECTION.export, encodeExports(exports)));
      if (!(await attempt({ bytes, plan: current().plan }))) i += size;
    }
  }
}

/** Each function body, largest first, becomes `unreachable`. */
async function replaceBodies(attempt, current) {
  const order = parseModule(current().bytes).bodies.map((body, index) => ({ index, size: body.length })).sort((a, b) => b.size - a.size);
  for (const { index } of order) {
    const module = parseModule(current().bytes);
    if (module.bodies[index].length <= UNREACHABLE_BODY.length) continue;
    await attempt({ bytes: withBody(module, index, UNREACHABLE_BODY), plan: current().plan });
  }
}

/** For every block, loop and if, outermost first: delete it, replace it by `unreachable`, or keep only its contents. */
async function cutBlocks(attempt, current, expired) {
  const count = parseModule(current().bytes).bodies.length;
  for (let index = 0; index < count && !expired(); index++) {
    for (let open = 0; !expired(); ) {
      const module = parseModule(current().bytes);
      const body = module.bodies[index];
      const { instructions } = decodeBody(body);
      const blocks = matchingEnds(instructions);
      while (open < instructions.length && !blocks.has(open)) open++;
      if (open >= instructions.length) break;
      const { end, hasElse } = blocks.get(open);
      const splice = (from, to, replacement) => concat([body.subarray(0, instructions[from].start), replacement, body.subarray(instructions[to].end)]);
      const plan = current().plan;
      const candidates = [splice(open, end, new Uint8Array(0)), splice(open, end, UNREACHABLE)];
      if (!hasElse) candidates.push(concat([body.subarray(0, instructions[open].start), body.subarray(instructions[open].end, instructions[end].start), body.subarray(instructions[end].end)]));
      let kept = false;
      for (const candidate of candidates) if (!kept) kept = await attempt({ bytes: withBody(module, index, candidate), plan });
      if (!kept) open++;
    }
  }
}

/** Instruction index of each block, loop and if -> its matching end, and whether it has an else. */
function matchingEnds(instructions) {
  const blocks = new Map();
  const stack = [];
  instructions.forEach((instruction, i) => {
    if (instruction.role === 'open') stack.push({ start: i, hasElse: false });
    else if (instruction.role === 'else' && stack.length) stack.at(-1).hasElse = true;
    else if (instruction.role === 'end' && stack.length) {
      const { start, hasElse } = stack.pop();
      blocks.set(start, { end: i, hasElse });
    }
  });
  return blocks;
}

/** Deletes runs of instructions, or replaces them by one `unreachable`, in every body. */
async function cutInstructions(attempt, current, expired) {
  const count = parseModule(current().bytes).bodies.length;
  for (let index = 0; index < count && !expired(); index++) {
    const instructionCount = () => decodeBody(parseModule(current().bytes).bodies[index]).instructions.length;
    for (let size = 2 ** Math.floor(Math.log2(Math.max(1, instructionCount() - 1))); size >= 1 && !expired(); size >>= 1) {
      // The body's final `end` stays.
      for (let i = 0; i < instructionCount() - 1 && !expired(); ) {
        const module = parseModule(current().bytes);
        const body = module.bodies[index];
        const { instructions } = decodeBody(body);
        const last = Math.min(i + size, instructions.length - 1);
        const cut = (replacement) => concat([body.subarray(0, instructions[i].start), replacement, body.subarray(instructions[last].start)]);
        const plan = current().plan;
        const kept = (await attempt({ bytes: withBody(module, index, cut(new Uint8Array(0))), plan })) || (await attempt({ bytes: withBody(module, index, cut(UNREACHABLE)), plan }));
        if (!kept) i += size;
      }
    }
  }
}

/** Each data segment in turn (the data count, when there is one, follows). */
async function dropDataSegments(attempt, current) {
  for (let i = 0; ; ) {
    const module = parseModule(current().bytes);
    const data = module.sections.find((section) => section.id === SECTION.data);
    const segments = data ? dataSegments(data.payload) : [];
    if (i >= segments.length) return;
    const kept = segments.filter((_, j) => j !== i);
    let sections = withSection(module.sections, SECTION.data, vector(kept.map((segment) => [...segment])));
    if (module.sections.some((section) => section.id === SECTION.datacount)) sections = withSection(sections, SECTION.datacount, Uint8Array.from(u32(kept.length)));
    if (!(await attempt({ bytes: encodeModule(sections), plan: current().plan }))) i++;
  }
}

/** Local declarations from the last one back, fewer each time (unused ones go; used ones fail validation). */
async function trimLocals(attempt, current) {
  const count = parseModule(current().bytes).bodies.length;
  for (let index = 0; index < count; index++) {
    for (;;) {
      const module = parseModule(current().bytes);
      const body = module.bodies[index];
      const { groups, instructionsStart } = localGroups(body);
      if (!groups.length) break;
      const last = groups.at(-1);
      const fewer = last[0] > 1 ? [...groups.slice(0, -1), [last[0] >> 1, last[1]]] : groups.slice(0, -1);
      const locals = vector(fewer.map(([n, type]) => [...u32(n), ...type]));
      if (!(await attempt({ bytes: withBody(module, index, concat([locals, body.subarray(instructionsStart)])), plan: current().plan }))) break;
    }
  }
}

function withBody(module, index, body) {
  const bodies = module.bodies.map((old, i) => (i === index ? body : old));
  return encodeModule(withSection(module.sections, SECTION.code, encodeCode(bodies)));
}
