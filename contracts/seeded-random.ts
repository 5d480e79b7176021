/**
 * mulberry32: a tiny seeded generator of numbers in [0, 1), the same on every machine, so a seed
 * fixes tuning trials, test data and benchmark data. Pure (no imports): workflow code uses it too.
 * Training uses ml/gbdt/random.ts instead, whose state can be checkpointed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
