// The implementation limits a module must stay within, from the JS API
// spec's "Implementation-defined Limits" section, as V8 (Node 20, V8 11.3)
// applies them: the decision to accept or reject a module matches the
// engine wasm2es stands in for. The decoder checks each count against its
// limit as soon as it reads it, before anything is allocated for it.
//
// Where V8 differs from the current spec text:
// - imports and exports: 100,000, as in V8 11.3 and the spec until 2024
//   (the spec now says 1,000,000);
// - table sizes: V8 11.3 does not check them when compiling (a table of
//   more than 10,000,000 elements fails when it is created), so neither do we;
// - br_table targets: 65,520, a V8 limit the spec does not list;
// - the function, table and global counts are those of their own sections,
//   imports not included, as V8 counts them.

export const LIMITS = {
  /** Bytes in a module (1 GiB). */
  moduleSize: 1_073_741_824,
  types: 1_000_000,
  imports: 100_000,
  /** Functions defined in the function section. */
  functions: 1_000_000,
  tables: 100_000,
  /** Memories, imports included (3.0's multi-memory; checked by validate). */
  memories: 100,
  globals: 1_000_000,
  /** Tags defined in the tag section (exception handling; V8's limit). */
  tags: 1_000_000,
  exports: 100_000,
  elementSegments: 10_000_000,
  /** Entries in one element segment. */
  elementSegmentEntries: 10_000_000,
  /** Data segments, and the data count section's value. */
  dataSegments: 100_000,
  /** Bytes in a function body, local declarations included. */
  functionBodySize: 7_654_321,
  /** Locals of a function, parameters included. */
  locals: 50_000,
  params: 1_000,
  results: 1_000,
  /** GC (3.0): fields of one struct type, supertypes above a type, operands of array.new_fixed. */
  structFields: 10_000,
  subtypeDepth: 63,
  arrayNewFixed: 10_000,
  brTableTargets: 65_520,
} as const;
