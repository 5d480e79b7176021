import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMlopsOffline } from '../support/processes.js';

const folder = mkdtempSync(path.join(os.tmpdir(), 'mlops-specs-'));
const base = `name: churn
dataset: { uri: ./customers.csv }
target: churned
train: { trainer: logistic_regression }
`;

/** `mlops run` against services that do not exist: only a run that starts nothing can pass. */
function run(spec: string, env: NodeJS.ProcessEnv = {}) {
  const file = path.join(folder, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, spec);
  return runMlopsOffline(['run', file, '--wait'], env);
}

describe('mlops run with an invalid spec', () => {
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('names an unknown trainer and what is allowed, starting nothing (exit 2)', () => {
    const result = run(base.replace('logistic_regression', 'xgboost'));
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /train\.trainer: "xgboost" is not allowed; allowed: logistic_regression, linear_regression, gradient_boosting/,
    );
    expect(result.stderr).toMatch(/Nothing was started/);
  });

  it('rejects a gate on an unknown metric', () => {
    const result = run(`${base}evaluation: { gates: [{ metric: precision_at_k, min: 0.5 }] }\n`);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /evaluation\.gates\[0\]\.metric: "precision_at_k" is not allowed; allowed: accuracy, /,
    );
  });

  it('lists every problem at once, with a suggestion for a misspelt field', () => {
    const result = run(
      base.replace('target: churned', 'tragets: churned').replace('name: churn', 'name: "bad name!"'),
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/tragets: unknown field; did you mean "target"\?/);
    expect(result.stderr).toMatch(/target: is required/);
    expect(result.stderr).toMatch(/name: must be 1-63 letters/);
  });

  it('refuses to hash PII without a key, before anything runs', () => {
    const result = run(`${base}pii: { hash: [email] }\n`);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /hashes "email" \(pii\.hash\), which needs a secret key: set MLOPS_PII_HMAC_KEY/,
    );
  });

  it('says when the spec file cannot be read', () => {
    const result = runMlopsOffline(['run', path.join(folder, 'missing.yaml')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/cannot read the spec file .*missing\.yaml/);
  });
});
