// Command-line options of `npm run fuzz`.

import { availableParallelism } from 'node:os';
import { CONFIG_NAMES } from './configs.js';
import { DEFAULT_FEATURES, OPT_IN_FEATURES, parseFeatures } from './features.js';
import { GENERATOR_NAMES } from './generators.js';

export const HELP = `usage: npm run fuzz -- [options]
Differential fuzzing: generated modules run on native V8 and on wasm2es in
every configuration; any difference is a divergence, reduced and saved as a
regression fixture. (seed, generator, index) reproduces one module anywhere.

  --seconds N          stop handing out modules after N seconds (default 60 without --count)
  --count N            stop after N indices (with --generator both, 2N modules)
  --seed S             seed, 0 <= S < 2^32 (default: random, printed)
  --start I            first index (default 0): --start I --count 1 reruns one module
  --generator G        ttf (binaryen wasm-opt -ttf), own (test/fuzz/generator.js) or both (default)
  --configs LIST       wasm2es configurations (default all: ${CONFIG_NAMES.join(',')})
  --features LIST      wasm features for the generators (default: ${DEFAULT_FEATURES.join(',')});
                       'default' and 'mvp' are shorthands, '-name' takes one out (default,-simd)${
  OPT_IN_FEATURES.length ? `;\n                       opt-in (Node 20's V8 cannot run them; fuzz them under Node 24): ${OPT_IN_FEATURES.join(', ')} (default,${OPT_IN_FEATURES[0]})` : ''}
  --rounds N           calls of each export per module (default 2)
  --jobs J             worker threads (default: min(2, cores))
  --timeout S          seconds one module may run before it counts as hung (default 60)
  --reduce N           divergences to reduce and save as fixtures (default 3; 0: none)
  --reduce-seconds S   time limit of one reduction (default 60)
  --fixtures DIR       where reduced fixtures go (default test/fuzz/fixtures)
  --out DIR            where unreduced divergent modules go (default test/.out/fuzz)
  --dist DIR           fuzz another build's dist/ (e.g. an older commit's, to see a fixed bug found)
  --allow-unsupported-features  let --features name proposals wasm2es rejects
  --quiet              only divergences and the summary`;

export function parseOptions(argv) {
  const options = {
    seconds: undefined,
    count: undefined,
    seed: undefined,
    start: 0,
    generator: 'both',
    configs: CONFIG_NAMES,
    features: DEFAULT_FEATURES,
    rounds: 2,
    jobs: Math.min(2, availableParallelism()),
    timeout: 60,
    reduce: 3,
    reduceSeconds: 60,
    fixtures: undefined,
    out: undefined,
    dist: undefined,
    quiet: false,
  };
  let featuresText = null;
  let allowUnsupported = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
      return argv[++i];
    };
    const integer = (min = 0, max = Number.MAX_SAFE_INTEGER) => {
      const text = value();
      const number = Number(text);
      if (!/^\d+$/.test(text) || number < min || number > max) throw new UsageError(`${arg} wants an integer from ${min} to ${max}, not ${text}`);
      return number;
    };
    if (arg === '--seconds') options.seconds = integer(1);
    else if (arg === '--count') options.count = integer(1);
    else if (arg === '--seed') options.seed = integer(0, 2 ** 32 - 1);
    else if (arg === '--start') options.start = integer(0, 2 ** 32 - 1);
    else if (arg === '--generator') options.generator = value();
    else if (arg === '--configs') options.configs = value().split(',').filter(Boolean);
    else if (arg === '--features') featuresText = value();
    else if (arg === '--rounds') options.rounds = integer(1, 100);
    else if (arg === '--jobs' || arg === '-j') options.jobs = integer(1, 256);
    else if (arg === '--timeout') options.timeout = integer(1);
    else if (arg === '--reduce') options.reduce = integer(0);
    else if (arg === '--reduce-seconds') options.reduceSeconds = integer(1);
    else if (arg === '--fixtures') options.fixtures = value();
    else if (arg === '--out') options.out = value();
    else if (arg === '--dist') options.dist = value();
    else if (arg === '--allow-unsupported-features') allowUnsupported = true;
    else if (arg === '--quiet' || arg === '-q') options.quiet = true;
    else if (arg === '--help' || arg === '-h') throw new UsageError(HELP, 0);
    else throw new UsageError(`unknown option ${arg}\n${HELP}`);
  }
  if (![...GENERATOR_NAMES, 'both'].includes(options.generator)) throw new UsageError(`unknown generator ${options.generator} (ttf, own, both)`);
  for (const name of options.configs) if (!CONFIG_NAMES.includes(name)) throw new UsageError(`unknown configuration ${name} (${CONFIG_NAMES.join(', ')})`);
  try {
    if (featuresText !== null) options.features = parseFeatures(featuresText, { allowUnsupported });
  } catch (error) {
    throw new UsageError(error.message);
  }
  if (options.seconds === undefined && options.count === undefined) options.seconds = 60;
  if (options.seed === undefined) options.seed = Math.floor(Math.random() * 2 ** 32);
  return options;
}

export class UsageError extends Error {
  constructor(message, status = 2) {
    super(message);
    this.status = status;
  }
}
