// Per-module knobs of the module generator. Each module draws its own
// sizes, limits and instruction weights ("swarm testing", Groce et al.
// 2012): a module that never stores makes its loads read the data
// segments; one that reuses stack values heavily builds the deep pending
// stacks; one with a high trap rate exercises traps mid-expression. A
// single fixed mix would make every module the same average.

import { STEP_KINDS, VALUE_KINDS } from './body.js';
import { cumulative } from './random.js';
import { EXTERNREF, F32, F64, FUNCREF, I32, I64, V128 } from './types.js';

const VALUE_TYPES = [I32, I64, F32, F64, FUNCREF, EXTERNREF, V128];

/** Steps and values every module keeps, so every body can make progress. */
const ALWAYS = new Set(['push', 'numeric', 'consume', 'leaf']);

/**
 * A weight multiplier: often 1, sometimes off, sometimes dominant.
 * @param {import('./random.js').Random} rng
 */
function swarm(rng) {
  const roll = rng.int(20);
  return roll < 3 ? 0 : roll < 7 ? 0.3 : roll < 17 ? 1 : 3;
}

/**
 * @param {import('./random.js').Random} rng
 * @param {Set<string>} features
 */
export function chooseProfile(rng, features) {
  const sizeRoll = rng.int(100);
  const size = sizeRoll < 70 ? 'small' : sizeRoll < 96 ? 'medium' : 'large';
  const functionCount = size === 'small' ? rng.range(3, 12) : size === 'medium' ? rng.range(8, 24) : rng.range(15, 60);
  const budget = size === 'small' ? [8, 120] : size === 'medium' ? [40, 400] : [100, 2500];

  const stepWeights = STEP_KINDS.map((k) => {
    if (!features.has(k.feature)) return 0;
    return k.weight * (ALWAYS.has(k.name) ? 1 : swarm(rng));
  });
  const valueWeights = VALUE_KINDS.map((k) => {
    if (!features.has(k.feature)) return 0;
    return k.weight * (ALWAYS.has(k.name) ? 1 : swarm(rng));
  });
  const references = features.has('reference-types');
  const typeWeights = [35, 25, 20, 20].map((w) => w * Math.max(0.2, swarm(rng)));
  typeWeights.push(references ? 2 * swarm(rng) : 0, references ? 0.7 * swarm(rng) : 0);
  typeWeights.push(features.has('simd') ? 12 * Math.max(0.1, swarm(rng)) : 0);

  const bigSwitches = rng.chance(0.15);
  const bigTables = rng.chance(0.15);
  return {
    size,
    functionCount,
    /** Instructions per function, roughly: [low, high], log-uniform. */
    budget,
    maxParams: rng.chance(0.9) ? 4 : 12,
    localsPerFunction: rng.chance(0.9) ? rng.int(6) : rng.range(10, 40),
    maxLocals: rng.chance(0.9) ? 40 : 400,
    /** Levels of the direct-call DAG. */
    levels: rng.range(2, 6),
    /** Whether direct calls may go up the DAG (recursion), behind the depth guard. */
    recursion: rng.chance(0.4),
    /** Fuel and depth: what runs out returns zeros (true) or traps. */
    exhaustReturn: rng.chance(0.8),
    fuel: rng.logRange(50, 2000),
    depth: rng.range(2, 12),
    maxIterations: rng.chance(0.8) ? 8 : 40,
    exprDepth: rng.range(1, 4),
    maxStack: [4, 8, 16, 32, 64, 200][rng.weighted([10, 25, 25, 20, 12, 8])],
    maxNesting: rng.range(2, 8),
    blockStop: [0.08, 0.15, 0.3][rng.int(3)],
    reuse: [0.2, 0.5, 0.8, 0.95][rng.int(4)],
    trapRate: [0.001, 0.004, 0.015, 0.05][rng.weighted([30, 30, 25, 15])],
    bigSwitchChance: bigSwitches ? 0.3 : 0.02,
    maxSwitch: bigSwitches && rng.chance(0.5) ? 600 : 60,
    maxDeepNest: rng.chance(0.15) ? 400 : 40,
    bigBrTableChance: bigTables ? 0.3 : 0.03,
    maxBrTable: bigTables && rng.chance(0.5) ? 500 : 40,
    /** Write some indices as 5-byte LEB128s (valid, non-minimal). */
    padLeb: rng.chance(0.05),
    stepCumulative: cumulative(stepWeights),
    valueCumulative: cumulative(valueWeights),
    valueTypes: VALUE_TYPES,
    typeCumulative: cumulative(typeWeights),
  };
}

/** @typedef {ReturnType<typeof chooseProfile>} Profile */
