// Loaded with `node --import` to make `import('binaryen')` fail as it does
// where the optional dependency is not installed.
import { register } from 'node:module';

const hooks = `
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'binaryen') {
    const error = new Error("Cannot find package 'binaryen'");
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return nextResolve(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
