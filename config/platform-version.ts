import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The platform's version, from its package.json: the nearest one above this file, whether it runs
 * from the sources (tsx) or from dist/ (compiled, one folder deeper).
 */
export function platformVersion(): string {
  if (cached !== undefined) return cached;
  let folder = path.dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth += 1) {
    const candidate = path.join(folder, 'package.json');
    if (existsSync(candidate)) {
      const version = (JSON.parse(readFileSync(candidate, 'utf8')) as { version?: unknown }).version;
      if (typeof version === 'string') return (cached = version);
    }
    folder = path.dirname(folder);
  }
  return (cached = 'unknown');
}
