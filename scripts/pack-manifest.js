#!/usr/bin/env node
// Keeps the `prepare` script out of the published package.json.
//
// In this repository `prepare` builds dist/, so that `npm install` on a
// fresh checkout installs and builds in one command. A package installed
// from the registry has dist/ already, and npm 11 warns about every
// dependency with an install-time script ("1 package has install scripts
// not yet covered by allowScripts: wasm2es (prepare: npm run build)"), so
// the packed manifest must not carry it. npm runs `prepack` before it reads
// package.json into the tarball and `postpack` after:
//
//   node scripts/pack-manifest.js strip     (prepack)   prepare -> "//prepare"
//   node scripts/pack-manifest.js restore   (postpack)  and back
//
// Both are idempotent, and `restore` also repairs a checkout left stripped by
// a pack that failed between the two.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PARKED = '//prepare';

/** Moves scripts[from] to scripts[to], keeping its place among the scripts; returns whether it changed. */
export function renameScript(manifest, from, to) {
  const scripts = manifest.scripts;
  if (scripts === undefined || !(from in scripts) || to in scripts) return false;
  manifest.scripts = Object.fromEntries(Object.entries(scripts).map(([name, command]) => [name === from ? to : name, command]));
  return true;
}

export function rewrite(path, action) {
  const manifest = JSON.parse(readFileSync(path, 'utf8'));
  const changed = action === 'strip' ? renameScript(manifest, 'prepare', PARKED) : renameScript(manifest, PARKED, 'prepare');
  if (changed) writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return changed;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const action = process.argv[2];
  if (action !== 'strip' && action !== 'restore') {
    console.error('usage: node scripts/pack-manifest.js strip|restore [package.json]');
    process.exit(2);
  }
  rewrite(process.argv[3] ?? 'package.json', action);
}
