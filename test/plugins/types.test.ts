// The plugins' declared types fit the bundlers' own config types
// (config-types.ts, checked with tsc --strict against the installed Vite,
// Rollup, esbuild, webpack and Metro typings).

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { root } from './app.js';

it('each plugin type-checks in its bundler config', () => {
  const check = () => execFileSync(process.execPath, [
    join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--skipLibCheck',
    '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node',
    join(root, 'test/plugins/config-types.ts'),
  ], { encoding: 'utf8', stdio: 'pipe' });
  let errors = '';
  try {
    check();
  } catch (error) {
    errors = String((error as { stdout?: string }).stdout ?? error);
  }
  expect(errors).toBe('');
}, 60_000);
