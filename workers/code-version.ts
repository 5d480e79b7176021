import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The version of the code this worker runs, recorded with every run and model version:
 * MLOPS_CODE_VERSION when the deployment sets it (images built without .git), otherwise the git
 * commit of the checkout, marked `-dirty` when it has uncommitted changes.
 */
export function resolveCodeVersion(configured: string | undefined): string {
  if (configured) return configured;
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  try {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty ? `${commit}-dirty` : commit;
  } catch {
    return 'unknown';
  }
}
