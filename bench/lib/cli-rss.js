// Runs the wasm2es CLI (bin/wasm2es.js) in this process with the given
// arguments and, when the process exits, prints `@@maxrss=<KiB>` on stderr:
// the peak resident set size of the whole CLI run, from
// process.resourceUsage(), so no external `time` program is needed.
//
//   node bench/lib/cli-rss.js in.wasm -o out.js [--tune interpreter]

import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../bin/wasm2es.js', import.meta.url));
process.argv = [process.argv[0], cli, ...process.argv.slice(2)];
process.on('exit', () => {
  process.stderr.write(`\n@@maxrss=${process.resourceUsage().maxRSS}\n`);
});
await import(new URL('../../bin/wasm2es.js', import.meta.url).href);
