import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The version of the code this worker runs, recorded with every run and model version and part of
 * every stage's cache key: MLOPS_CODE_VERSION when the deployment sets it (images built without
 * .git), otherwise the git commit of the checkout. Uncommitted changes add `-dirty-<hash of the
 * changes>`, so editing code never reuses cached outputs of the code before the edit.
 */
export function resolveCodeVersion(configured: string | undefined): string {
  if (configured) return configured;
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 256 * 1024 * 1024,
    });
  try {
    const commit = git('rev-parse', '--short=12', 'HEAD').trim();
    const changes = createHash('sha256').update(git('diff', 'HEAD', '--no-color'));
    const untracked = git('ls-files', '--others', '--exclude-standard').split('\n').filter(Boolean);
    for (const file of untracked) changes.update(file).update(readFileSync(path.join(cwd, file)));
    const dirty = untracked.length > 0 || git('status', '--porcelain', '--untracked-files=no').trim() !== '';
    return dirty ? `${commit}-dirty-${changes.digest('hex').slice(0, 10)}` : commit;
  } catch {
    return 'unknown';
  }
}
