// Code generation for v128 (issue 15): not written yet. Decode and validate
// handle every SIMD instruction, so a module that reaches the emitter is
// valid; until v128 is lowered here, a module that uses it anywhere (a v128
// value type or a 0xFD instruction, Module.simd) is refused with a
// CompileError, before any JavaScript is made, rather than emitted wrongly.
// This file is the one place that decides it; the lowering replaces it.

import { CompileError } from '../runtime/errors.js';
import type { Module } from './ir.js';

/** How the refusal begins; the spec runner's wasm2es-compile engine tells it from a validation error by it. */
export const SIMD_CODEGEN_UNSUPPORTED = 'SIMD (v128) code generation is not supported yet';

/** Throws for a valid module that needs v128 code generation. */
export function refuseSimd(module: Module): void {
  if (module.simd !== null) throw new CompileError(`${SIMD_CODEGEN_UNSUPPORTED} (${module.simd.where})`);
}
