import type { ServedVersion } from './served-version.js';

/** What one model serves now. Replaced whole on every change, never mutated. */
export interface ServedModel {
  readonly name: string;
  readonly deploymentId: number | null;
  /** null while the model's champion could not be loaded yet (the model is not ready). */
  readonly champion: ServedVersion | null;
  readonly challenger: ServedVersion | null;
  /** Share of requests (0..1) for the challenger; 0 without one. */
  readonly challengerShare: number;
  /** Why the registry's wish is not what is served (a model file that failed to load), if it is not. */
  readonly loadError: string | null;
}

/** Model name → what it serves. Swapped as a whole, so a request sees one consistent table. */
export type RoutingTable = ReadonlyMap<string, ServedModel>;

/**
 * The version that answers a request. With a request key the choice is a hash of model name and
 * key, so the same key always lands on the same version while the split stays the same (and a key
 * inside a 10% canary stays inside it when the share grows); without one it is random.
 */
export function chooseVersion(model: ServedModel, requestKey: string | undefined): ServedVersion | null {
  if (!model.champion) return null;
  if (!model.challenger || model.challengerShare <= 0) return model.champion;
  const draw = requestKey === undefined ? Math.random() : stickyFraction(model.name, requestKey);
  return draw < model.challengerShare ? model.challenger : model.champion;
}

/**
 * A fraction in [0, 1) from FNV-1a (32 bits) over the model name, a separator and the key, with
 * MurmurHash3's finalizer so keys that differ in one character ("user-1", "user-2") spread evenly.
 */
export function stickyFraction(modelName: string, requestKey: string): number {
  let hash = 0x811c9dc5;
  const mix = (text: string) => {
    for (let index = 0; index < text.length; index += 1) {
      hash ^= text.charCodeAt(index);
      hash = Math.imul(hash, 0x01000193);
    }
  };
  mix(modelName);
  mix('\u0000');
  mix(requestKey);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 0x1_0000_0000;
}
