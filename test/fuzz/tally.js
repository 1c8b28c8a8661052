// Counting a run, and the summary it ends with. The first line is the one a
// closing note cites:
//   fuzz: 1234 modules (seed 7, indices 0..616), 56789 calls, 0 divergences, 12 rejected as unsupported, 3 exhausted, 40 beyond native
// "Beyond native": modules the native engine cannot be the reference for
// (execute.js), e.g. exception handling's final encoding under Node 20.
// With GC among the features, a line says what became of the modules that
// use it: the count a GC campaign cites.

export function createTally(options, generators) {
  const tally = {
    modules: 0,
    calls: 0,
    divergences: 0,
    unsupported: 0,
    exhausted: 0,
    beyondNative: 0,
    beyondReasons: {},
    gc: { modules: 0, compared: 0, divergences: 0, unsupported: 0, beyondNative: 0 },
    nans: 0,
    nativeRejected: 0,
    hung: 0,
    errors: 0,
    generatorFailures: 0,
    seconds: 0,
    fixtures: [],
    generators: Object.fromEntries(generators.map((name) => [name, { modules: 0, first: Infinity, last: -Infinity }])),
    configs: Object.fromEntries(options.configs.map((name) => [name, { modules: 0, calls: 0, diverged: 0, unsupported: 0, beyondNative: 0, exhausted: 0, exhaustedAlone: 0, nan: 0 }])),
    add(report) {
      tally.modules++;
      const generator = tally.generators[report.generator];
      generator.modules++;
      generator.first = Math.min(generator.first, report.index);
      generator.last = Math.max(generator.last, report.index);
      if (report.type === 'timeout' || report.type === 'crashed') return void tally.hung++;
      if (report.error) return void tally.errors++;
      if (report.generatorError) return void tally.generatorFailures++;
      tally.calls += report.calls;
      if (report.beyondNative) {
        tally.beyondNative++;
        const reason = report.beyondNative.replace(/ \(.*?\)/g, '');
        tally.beyondReasons[reason] = (tally.beyondReasons[reason] ?? 0) + 1;
      } else if (report.nativeCompile !== 'ok') {
        tally.nativeRejected++;
      }
      const statuses = Object.values(report.configs).map((config) => config.status);
      if (report.gc) countGc(tally.gc, report, statuses);
      if (statuses.includes('diverged')) tally.divergences++;
      if (statuses.includes('unsupported')) tally.unsupported++;
      if (statuses.includes('exhausted')) tally.exhausted++;
      if (statuses.includes('nan')) tally.nans++;
      for (const [name, config] of Object.entries(report.configs)) {
        const counts = tally.configs[name];
        counts.calls += config.calls;
        if (config.status === 'unsupported') counts.unsupported++;
        else if (config.status === 'beyond-native') counts.beyondNative++;
        else counts.modules++;
        if (config.status === 'diverged') counts.diverged++;
        if (config.status === 'exhausted') counts.exhausted++;
        if (config.status === 'nan') counts.nan++;
        if (config.exhaustedAlone) counts.exhaustedAlone++;
      }
    },
  };
  return tally;
}

function countGc(gc, report, statuses) {
  gc.modules++;
  if (statuses.includes('diverged')) gc.divergences++;
  if (statuses.includes('unsupported')) gc.unsupported++;
  if (report.beyondNative) gc.beyondNative++;
  // Compared: native ran it and some configuration was held to it.
  else if (report.nativeCompile === 'ok' && statuses.some((status) => status !== 'unsupported')) gc.compared++;
}

export function summary(tally, options) {
  const ranges = Object.entries(tally.generators)
    .filter(([, generator]) => generator.modules > 0)
    .map(([name, generator]) => `${name} ${generator.first}..${generator.last}`);
  const lines = [
    `fuzz: ${tally.modules} modules (seed ${options.seed}, indices ${ranges.join(', ') || 'none'}), ${tally.calls} calls, ${tally.divergences} divergences, ${tally.unsupported} rejected as unsupported, ${tally.exhausted} exhausted, ${tally.beyondNative} beyond native`,
  ];
  for (const [name, counts] of Object.entries(tally.configs)) {
    lines.push(`  ${name}: ${counts.modules} modules, ${counts.calls} calls compared, ${counts.diverged} divergences, ${counts.unsupported} unsupported, ${counts.beyondNative} beyond native, ${counts.exhausted} exhausted (${counts.exhaustedAlone} where native was not), ${counts.nan} NaN-only`);
  }
  if (tally.gc.modules) {
    const gc = tally.gc;
    lines.push(`  ${gc.modules} modules use GC or typed function references: ${gc.compared} compared, ${gc.divergences} divergences, ${gc.unsupported} rejected as unsupported, ${gc.beyondNative} beyond native`);
  }
  if (tally.beyondNative) {
    const reasons = Object.entries(tally.beyondReasons).map(([reason, n]) => `${n} ${reason}`);
    lines.push(`  ${tally.beyondNative} modules were beyond native V8 (${process.version}, not compared): ${reasons.join('; ')}`);
  }
  if (tally.nans) lines.push(`  ${tally.nans} modules differed only by the sign or payload of arithmetic NaNs, which WebAssembly leaves open: with their NaNs canonicalised they agree throughout`);
  if (tally.nativeRejected) lines.push(`  ${tally.nativeRejected} generated modules were rejected by native V8 itself; wasm2es had to reject them too`);
  if (tally.hung) lines.push(`  ${tally.hung} modules hung or crashed a worker`);
  if (tally.errors) lines.push(`  ${tally.errors} modules failed in the harness (ERROR lines above)`);
  if (tally.generatorFailures) lines.push(`  ${tally.generatorFailures} modules could not be generated (GENERATOR lines above; not wasm2es failures)`);
  if (tally.fixtures.length) lines.push(`  fixtures: ${tally.fixtures.join(', ')}`);
  const seconds = Math.max(tally.seconds, 0.001);
  lines.push(`  throughput: ${(tally.modules / seconds).toFixed(1)} modules/s, ${Math.round(tally.calls / seconds)} calls/s (${options.jobs} job(s), ${tally.seconds.toFixed(1)} s; features ${options.features.join(',') || 'mvp'}; ${options.rounds} round(s) of calls)`);
  return lines.join('\n');
}
