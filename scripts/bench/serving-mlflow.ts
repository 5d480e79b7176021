import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const VENV = path.resolve('scripts/bench/.venv-serving');
const PYTHON = path.join(VENV, 'bin', 'python');
const MLFLOW = path.join(VENV, 'bin', 'mlflow');

/** The benchmark venv (git-ignored) with MLflow and scikit-learn, created on first use. */
export function ensureMlflowVenv(): void {
  if (existsSync(MLFLOW)) return;
  console.log(`creating ${VENV} with mlflow, scikit-learn and pandas (first run only)...`);
  const steps: [string, string[]][] = [
    ['python3', ['-m', 'venv', VENV]],
    [PYTHON, ['-m', 'pip', 'install', '--quiet', 'mlflow', 'scikit-learn', 'pandas']],
  ];
  for (const [command, args] of steps) {
    const result = spawnSync(command, args, { stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status})`);
  }
}

export function mlflowVersion(): string {
  return spawnSync(PYTHON, ['-c', 'import mlflow, sklearn; print(mlflow.__version__, sklearn.__version__)'], {
    encoding: 'utf8',
  }).stdout.trim();
}

/** Trains the scikit-learn model on the penguins data and saves it as an MLflow model in `folder`. */
export function trainMlflowModel(
  dataPath: string,
  folder: string,
): { rows: number; trainingAccuracy: number } {
  const result = spawnSync(PYTHON, ['scripts/bench/serving_mlflow.py', dataPath, folder], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`training the MLflow model failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as {
    rows: number;
    trainingAccuracy: number;
  };
}

/** `mlflow models serve` (its defaults, local environment) until `stop`. */
export async function startMlflowServer(
  folder: string,
  port: number,
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(
    MLFLOW,
    ['models', 'serve', '-m', folder, '-h', '127.0.0.1', '-p', String(port), '--env-manager', 'local'],
    // It starts uvicorn by name: the venv's bin folder goes first on PATH.
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
      env: { ...process.env, PATH: `${path.join(VENV, 'bin')}:${process.env.PATH}` },
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mlflow models serve exited:\n${stderr}`);
    const healthy = await fetch(`${url}/ping`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) break;
    if (Date.now() > deadline) throw new Error(`mlflow models serve did not become healthy:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return {
    url,
    pid: child.pid ?? 0,
    stop: async () => {
      // Its own process group: the server's worker processes go too.
      process.kill(-(child.pid ?? 0), 'SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
