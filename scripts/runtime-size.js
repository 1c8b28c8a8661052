// Prints the size of each runtime bundle in dist/ (raw, and gzipped at
// level 9), then where the minified script's gzipped bytes go: for each
// bundled source module, what the whole file shrinks by without it (so the
// modules' figures add up to a little less than the total: what they share
// is counted nowhere). The README's "Runtime size" figures come from here.
//
//   node scripts/runtime-size.js [distDir]   (default dist; run npm run build first)

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parse } from 'acorn';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = resolve(process.argv[2] ?? join(root, 'dist'));
const gzipped = (text) => gzipSync(text, { level: 9 }).length;
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

console.log('| build | raw | gzip -9 |\n|---|---:|---:|');
for (const name of ['runtime.mjs', 'runtime.cjs', 'runtime.iife.js', 'runtime.min.mjs', 'runtime.min.cjs', 'runtime.min.iife.js']) {
  const text = readFileSync(join(dist, name));
  console.log(`| \`dist/${name}\` | ${text.length} B (${kib(text.length)}) | ${gzipped(text)} B (${kib(gzipped(text))}) |`);
}

// The modules, in bundle order: named in the readable script, found by shape
// in the minified one (`x = function () { ...; return {...}; }()`).
const readable = readFileSync(join(dist, 'runtime.iife.js'), 'utf8');
const names = [...readable.matchAll(/^const __module_(\w+) = \(function \(\) \{$/gm)].map((match) => `runtime/${match[1]}.ts`);
const minified = readFileSync(join(dist, 'runtime.min.iife.js'), 'utf8');
const spans = [];
(function find(node) {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) { node.forEach(find); return; }
  const fn = node.type === 'VariableDeclarator' && node.init?.type === 'CallExpression' ? node.init.callee : null;
  if (fn?.type === 'FunctionExpression' && node.init.arguments.length === 0 && fn.body.body.at(-1)?.argument?.type === 'ObjectExpression') {
    spans.push([node.init.start, node.init.end]);
    return;
  }
  for (const key of Object.keys(node)) if (key !== 'type') find(node[key]);
})(parse(minified, { ecmaVersion: 'latest' }));
if (spans.length !== names.length) throw new Error(`runtime-size: found ${spans.length} modules in the minified script, ${names.length} in the readable one`);

const total = gzipped(minified);
const rows = spans.map(([start, end], i) => {
  const without = minified.slice(0, start) + 'function(){}()' + minified.slice(end);
  return { name: names[i], raw: end - start, alone: gzipped(minified.slice(start, end)), share: total - gzipped(without) };
}).sort((a, b) => b.share - a.share);
console.log(`\nruntime.min.iife.js, ${total} B gzipped, by source module (without it the file is that much smaller; alone it gzips to):\n`);
console.log('| module | minified | gzipped share | alone |\n|---|---:|---:|---:|');
for (const row of rows) console.log(`| ${row.name} | ${row.raw} B | ${row.share} B (${(100 * row.share / total).toFixed(1)}%) | ${row.alone} B |`);
const shared = total - rows.reduce((sum, row) => sum + row.share, 0);
console.log(`| (the wrapper, and what modules share) | | ${shared} B | |`);

// Across modules: the text of strings and templates (mostly error messages).
const strings = [];
(function find(node) {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) { node.forEach(find); return; }
  if (node.type === 'Literal' && typeof node.value === 'string') strings.push([node.start, node.end, '""']);
  if (node.type === 'TemplateElement') strings.push([node.start, node.end, '']);
  for (const key of Object.keys(node)) if (key !== 'type') find(node[key]);
})(parse(minified, { ecmaVersion: 'latest' }));
let withoutStrings = '';
let at = 0;
for (const [start, end, empty] of strings.sort((a, b) => a[0] - b[0])) {
  withoutStrings += minified.slice(at, start) + empty;
  at = end;
}
withoutStrings += minified.slice(at);
const stringShare = total - gzipped(withoutStrings);
console.log(`\nstring literals and template texts (${strings.length}): ${stringShare} B of the gzipped total (${(100 * stringShare / total).toFixed(1)}%)`);
