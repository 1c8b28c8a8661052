// Which module system Node will load an output file with, so that the CLI
// writes what will load: `.mjs` is an ES module and `.cjs` CommonJS
// wherever they are; a `.js` file is whatever the nearest package.json's
// "type" says, CommonJS when it says nothing or there is none (as in a
// project made by `npm init`). Node's own rule, applied to the output path.

import { readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';

export type Format = 'esm' | 'cjs' | 'iife';

/** The package scope of a file: the nearest package.json and its "type". */
export interface PackageScope {
  /** The package.json that decides, or null when none is found up to the root. */
  packageJson: string | null;
  type: 'module' | 'commonjs';
}

export function packageScope(file: string): PackageScope {
  let dir = dirname(resolve(file));
  for (;;) {
    const candidate = join(dir, 'package.json');
    let text: string | undefined;
    try {
      text = readFileSync(candidate, 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      // An unreadable package.json makes Node fail to load the file anyway; treat it as saying nothing.
      let type: unknown;
      try {
        type = (JSON.parse(text) as { type?: unknown }).type;
      } catch {
        type = undefined;
      }
      return { packageJson: candidate, type: type === 'module' ? 'module' : 'commonjs' };
    }
    const parent = dirname(dir);
    if (parent === dir) return { packageJson: null, type: 'commonjs' };
    dir = parent;
  }
}

/** The module system Node loads `file` with: 'esm', 'cjs', or null for a name Node does not load as a module by extension. */
export function loadedAs(file: string, scope: () => PackageScope): 'esm' | 'cjs' | null {
  const extension = extname(file).toLowerCase();
  if (extension === '.mjs') return 'esm';
  if (extension === '.cjs') return 'cjs';
  if (extension === '.js') return scope().type === 'module' ? 'esm' : 'cjs';
  return null;
}

const scopeText = (scope: PackageScope): string =>
  scope.packageJson === null ? 'no package.json above it' : `${scope.packageJson} has ${scope.type === 'module' ? '"type": "module"' : 'no "type": "module"'}`;

export interface FormatChoice {
  format: Format;
  /** A note for stderr: why this format was picked, or why the file will not load as written. */
  note?: string;
}

/**
 * The output format for writing to `output`: the one asked for (with a
 * warning when Node would load the file as the other module system), or,
 * when none was asked for, the one Node will load the file as.
 */
export function chooseFormat(asked: Format | undefined, output: string | undefined): FormatChoice {
  if (output === undefined) return { format: asked ?? 'esm' };
  let scope: PackageScope | undefined;
  const getScope = (): PackageScope => (scope ??= packageScope(output));
  const loader = loadedAs(output, getScope);
  if (asked === undefined) {
    if (loader !== 'cjs') return { format: 'esm' };
    if (extname(output).toLowerCase() === '.cjs') return { format: 'cjs' };
    return {
      format: 'cjs',
      note: `writing CommonJS, which Node loads from a .js file here (${scopeText(getScope())}); for an ES module name the output .mjs, or pass --format esm`,
    };
  }
  if (asked === 'esm' && loader === 'cjs') {
    const fix = extname(output).toLowerCase() === '.js' ? 'name it .mjs, set "type": "module", or pass --format cjs' : 'name it .mjs or .js in an ES module package';
    return { format: asked, note: `warning: this is an ES module, but Node will load it as CommonJS (${scopeText(getScope())}): ${fix}` };
  }
  if (asked === 'cjs' && loader === 'esm') {
    return { format: asked, note: 'warning: this is CommonJS, but Node will load it as an ES module: name it .cjs, or pass --format esm' };
  }
  return { format: asked };
}

/** The file name for an input's output in --out-dir: `<name>.js`, or `.mjs`/`.cjs` where a `.js` file would load as the other module system. */
export function outputName(baseName: string, format: Format, outDir: string): string {
  if (format === 'iife') return `${baseName}.js`;
  const scope = packageScope(join(outDir, `${baseName}.js`));
  const jsLoadsAs = scope.type === 'module' ? 'esm' : 'cjs';
  if (jsLoadsAs === format) return `${baseName}.js`;
  return `${baseName}.${format === 'esm' ? 'mjs' : 'cjs'}`;
}
