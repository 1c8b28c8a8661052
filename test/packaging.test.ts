// What a new user gets from `npm install wasm2es`: a small install with no
// install-time script, the licence file, and binaryen only on request.
// (`npm pack` itself builds dist/ and takes a while; scripts/pack-manifest.js
// is checked on a copy of package.json instead, and the wiring here.)

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/cli.js';

const manifestText = readFileSync(join(repoRoot, 'package.json'), 'utf8');
const manifest = JSON.parse(manifestText);

describe('the published package', () => {
  it('ships the licence it declares', () => {
    expect(manifest.license).toBe('Apache-2.0');
    expect(manifest.files).toContain('LICENSE');
    expect(readFileSync(join(repoRoot, 'LICENSE'), 'utf8')).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
  });

  it('does not install binaryen (104 MB) unless asked: an optional peer dependency', () => {
    expect(manifest.dependencies?.binaryen).toBeUndefined();
    expect(manifest.optionalDependencies?.binaryen).toBeUndefined();
    expect(manifest.peerDependencies?.binaryen).toBeDefined();
    expect(manifest.peerDependenciesMeta?.binaryen?.optional).toBe(true);
  });

  it('packs without the prepare script, which npm would warn about, and puts it back after', () => {
    expect(manifest.scripts.prepare).toBe('npm run build');
    expect(manifest.scripts.prepack).toBe('node scripts/pack-manifest.js strip');
    expect(manifest.scripts.postpack).toBe('node scripts/pack-manifest.js restore');
    const dir = mkdtempSync(join(tmpdir(), 'wasm2es-pack-'));
    try {
      const copy = join(dir, 'package.json');
      writeFileSync(copy, manifestText);
      const script = join(repoRoot, 'scripts/pack-manifest.js');
      execFileSync(process.execPath, [script, 'strip', copy]);
      const stripped = JSON.parse(readFileSync(copy, 'utf8'));
      expect(stripped.scripts.prepare).toBeUndefined();
      expect(stripped.scripts['//prepare']).toBe('npm run build');
      // Nothing else changes, and the order of the scripts is kept.
      expect(Object.keys(stripped.scripts)).toEqual(Object.keys(manifest.scripts).map((name) => (name === 'prepare' ? '//prepare' : name)));
      expect({ ...stripped, scripts: undefined }).toEqual({ ...manifest, scripts: undefined });
      execFileSync(process.execPath, [script, 'strip', copy]);
      execFileSync(process.execPath, [script, 'restore', copy]);
      expect(readFileSync(copy, 'utf8')).toBe(manifestText);
      execFileSync(process.execPath, [script, 'restore', copy]);
      expect(readFileSync(copy, 'utf8')).toBe(manifestText);
      expect(existsSync(join(dir, 'package.json'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
