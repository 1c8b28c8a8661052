// Runs one engine test program on QuickJS (quickjs-emscripten: Bellard's
// QuickJS compiled to WebAssembly, hosted by Node; inside its context there
// is no WebAssembly, no console and no timers). The program is evaluated as
// a global script, then the job queue is drained until no promise job is
// left, as QuickJS's own `qjs` does. The host gives the program `print`.
//
//   node --stack-size=4000 test/engines/quickjs-host.mjs program.js
//   node test/engines/quickjs-host.mjs --check program.js   only compile it (exit 1 on a syntax error)
//
// QuickJS's own stack limit (1 MiB, its default in `qjs`) turns deep
// recursion into its InternalError("stack overflow"); the QuickJS frames
// also take host stack, hence Node's --stack-size above its default.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getQuickJS } from 'quickjs-emscripten';

const STACK_BYTES = 1024 * 1024;
const check = process.argv[2] === '--check';
const program = resolve(process.argv[check ? 3 : 2]);
const QuickJS = await getQuickJS();
const runtime = QuickJS.newRuntime();
runtime.setMaxStackSize(STACK_BYTES);
const context = runtime.newContext();

const print = context.newFunction('print', (...handles) => {
  process.stdout.write(`${handles.map((handle) => String(context.dump(handle))).join(' ')}\n`);
});
context.setProp(context.global, 'print', print);
print.dispose();

/** An uncaught error: its stack on stderr, exit status 1. */
function fail(errorHandle) {
  const error = context.dump(errorHandle);
  errorHandle.dispose();
  process.stderr.write(`quickjs: uncaught ${error?.name ?? 'error'}: ${error?.message ?? JSON.stringify(error)}\n${error?.stack ?? ''}\n`);
  process.exitCode = 1;
}

const result = context.evalCode(readFileSync(program, 'utf8'), program, { type: 'global', compileOnly: check });
if (result.error) {
  fail(result.error);
} else if (check) {
  result.value.dispose();
} else {
  result.value.dispose();
  for (;;) {
    const jobs = runtime.executePendingJobs(-1);
    if (jobs.error) {
      fail(jobs.error);
      break;
    }
    if (jobs.value === 0) break;
  }
}
// Disposing would assert that the program left no handle alive; the process ends anyway.
