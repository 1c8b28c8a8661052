// One value per JavaScript realm, shared by every copy of the runtime loaded
// in it (see runtime/index.ts): the first copy publishes what it built under
// a global symbol, later copies take that instead of their own.

/** The value published under `Symbol.for(name)` if `accept` takes it, else `build()`'s, published. */
export function sharedInRealm<T>(name: string, build: () => T, accept: (existing: any) => boolean = () => true): T {
  const key = Symbol.for(name);
  const holder = globalThis as any;
  const existing = holder[key];
  if (existing !== undefined && existing !== null && accept(existing)) return existing;
  const value = build();
  try {
    Object.defineProperty(holder, key, { value, configurable: true });
  } catch {
    // A frozen global object: this copy keeps its own.
  }
  return value;
}
