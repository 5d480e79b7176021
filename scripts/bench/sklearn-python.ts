import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Python that runs scikit-learn's side of a benchmark: `requested` (an existing venv), else
 * scripts/bench/.venv (git-ignored), created with scikit-learn, pandas and pyarrow on first use.
 */
export function sklearnPython(requested: string | undefined): string {
  if (requested) return requested;
  const venv = fileURLToPath(new URL('./.venv', import.meta.url));
  const python = join(venv, 'bin', 'python');
  if (!existsSync(python)) {
    console.error(`creating ${venv} with scikit-learn, pandas and pyarrow (first run only)`);
    execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(python, ['-m', 'pip', 'install', '--quiet', 'scikit-learn', 'pandas', 'pyarrow'], {
      stdio: 'inherit',
    });
  }
  return python;
}
