import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServingStateActivities } from '../../activities/loop/serving-state.js';
import { ModelLoopClient } from '../../client/loop.js';
import { scheduleIdFor } from '../../client/schedules.js';
import { hashApiToken } from '../../db/queries/api-tokens.js';
import { auditEventsOf, type AuditEvent } from '../../db/queries/audit.js';
import { servedVersions } from '../../db/queries/deployments.js';
import { waitUntil } from '../../stack/processes.js';
import type { PipelineSpec } from '../../spec/types.js';
import { quickPenguinsSpec, runPipeline } from '../support/pipeline.js';
import {
  stackEnvironment,
  startTestPlatform,
  testActivityDependencies,
  testArtifactStore,
  testConnections,
  type TestPlatform,
} from '../support/platform.js';
import { runMlops as mlops } from '../support/processes.js';
import { currentDetailsOf, expectRunsMatching } from '../support/visibility.js';
import { lifecycleWorkflowId } from '../../contracts/lifecycle.js';

const cliActor = /\(cli\)$/;
const summary = (events: readonly AuditEvent[]) =>
  events.map((event) => ({
    action: event.action,
    reason: event.reason,
    before: event.before,
    after: event.after,
  }));

/**
 * Every change to what is registered, served, scheduled or allowed leaves one audit event with
 * who, why, before and after; the trail is read with `mlops audit` and cannot be rewritten.
 * The tests run in order: each adds to the trail of one model the last one reads whole.
 */
describe('audit trail', () => {
  let platform: TestPlatform;
  let loop: ModelLoopClient;
  let spec: PipelineSpec;
  let home: string;
  let env: NodeJS.ProcessEnv;
  const tokenName = `audit-${randomUUID().slice(0, 8)}`;
  const modelEvents = () => auditEventsOf(platform.database.db, 'model', spec.name);

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'] });
    loop = new ModelLoopClient(platform.client.temporal, platform.pools.taskQueues);
    spec = quickPenguinsSpec({
      evaluation: { primaryMetric: 'accuracy', gates: [] },
      deploy: { promote: false },
    });
    for (let run = 0; run < 2; run += 1)
      expect((await runPipeline(platform, spec, { noCache: true })).status).toBe('succeeded');
    home = await mkdtemp(path.join(os.tmpdir(), 'mlops-audit-'));
    env = {
      ...stackEnvironment(),
      MLOPS_HOME: home,
      MLOPS_CPU_TASK_QUEUE: platform.pools.taskQueues.cpu,
      MLOPS_GPU_TASK_QUEUE: platform.pools.taskQueues.gpu,
    };
  }, 240_000);

  afterAll(async () => {
    await platform?.client.temporal.schedule
      .getHandle(scheduleIdFor(spec.name))
      .delete()
      .catch(() => undefined);
    await platform?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('records promotions and a rollback made at the CLI with actor, reason, before and after', async () => {
    for (const [args, expected] of [
      [['models', 'promote', `${spec.name}@1`, '--reason', 'first champion'], 0],
      [['models', 'promote', `${spec.name}@2`, '--reason', 'better on the holdout'], 0],
      [['models', 'rollback', spec.name, '--reason', 'v2 misbehaves'], 0],
      // Already the champion: refused, so nothing changed and nothing is recorded.
      [['models', 'promote', `${spec.name}@1`, '--reason', 'again'], 1],
    ] as const) {
      const result = await mlops([...args, '--json'], env);
      expect(result.code, result.stderr).toBe(expected);
    }
    const events = (await modelEvents()).filter((event) => ['promote', 'rollback'].includes(event.action));
    expect(summary(events)).toEqual([
      {
        action: 'promote',
        reason: 'first champion',
        before: { champion: null, challenger: null, share: 0 },
        after: { champion: 1, challenger: null, share: 0 },
      },
      {
        action: 'promote',
        reason: 'better on the holdout',
        before: { champion: 1, challenger: null, share: 0 },
        after: { champion: 2, challenger: null, share: 0 },
      },
      {
        action: 'rollback',
        reason: 'v2 misbehaves',
        before: { champion: 2, challenger: null, share: 0 },
        after: { champion: 1, challenger: null, share: 0 },
      },
    ]);
    for (const event of events) expect(event.actor).toMatch(cliActor);
  }, 120_000);

  it("records a person's approval of a canary, then the promotion it led to", async () => {
    await loop.challenge(spec.name, {
      version: 2,
      actor: 'audit test',
      reason: 'retrained',
      canary: {
        share: 0.2,
        bakeSeconds: 1,
        minLabels: 1_000_000,
        checkIntervalSeconds: 1,
        comparisonWindowSeconds: 0.001,
        approval: { timeoutSeconds: 120, defaultAction: 'rollback' },
      },
    });
    await waitUntil(
      'the approval request',
      async () => (await loop.lifecycleStatus(spec.name)).awaitingApproval ?? undefined,
      { timeoutMs: 30_000 },
    );
    // The README's saved view "runs waiting for approval" finds the model's lifecycle, which says
    // in the Temporal UI what it waits for.
    const awaiting = `MlopsModel = "${spec.name}" AND MlopsStatus = "awaiting_approval"`;
    const lifecycleId = lifecycleWorkflowId(spec.name);
    await expectRunsMatching(platform.client.temporal, awaiting, [lifecycleId]);
    expect(await currentDetailsOf(platform.client.temporal, lifecycleId)).toMatch(
      new RegExp(`^\\*\\*awaiting approval\\*\\* of ${spec.name} v2 \\(canary at 0\\.2\\): recommended `),
    );
    const approved = await mlops(
      ['models', 'approve', spec.name, 'promote', '--reason', 'checked the dashboards', '--json'],
      env,
    );
    expect(approved.code, approved.stderr).toBe(0);
    await waitUntil(
      'the canary to end',
      async () =>
        (await loop.lifecycleStatus(spec.name)).canary === null &&
        (await servedVersions(platform.database.db, spec.name)).champion === 2,
      { timeoutMs: 30_000 },
    );
    await expectRunsMatching(platform.client.temporal, awaiting, []);
    const events = (await modelEvents()).filter(
      (event) => event.action.startsWith('canary') || event.action === 'approve',
    );
    expect(events.map((event) => event.action)).toEqual(['canary-start', 'approve', 'canary-promote']);
    const [, approval, promotion] = events;
    expect(approval.actor).toMatch(cliActor);
    expect(approval).toMatchObject({
      reason: 'checked the dashboards',
      // Too few labels: the platform recommended a rollback; the person chose otherwise.
      before: { champion: 1, challenger: 2, share: 0.2, recommended: 'rollback', decision: null },
      after: { decision: 'promote' },
    });
    expect(promotion.actor).toBe(approval.actor);
    expect(promotion.after).toMatchObject({ champion: 2, challenger: null });
  }, 120_000);

  it('records schedule creation, update, pause and deletion, and nothing for a change that changes nothing', async () => {
    const specFile = path.join(home, 'spec.json');
    // The data path is relative to the working directory the CLI runs in, this repository.
    await writeFile(specFile, JSON.stringify(spec));
    const scheduleId = scheduleIdFor(spec.name);
    for (const args of [
      ['create', specFile, '--cron', '0 3 1 1 *', '--reason', 'yearly'],
      ['create', specFile, '--cron', '30 4 2 1 *', '--overlap', 'skip', '--reason', 'a day later'],
      ['create', specFile, '--cron', '30 4 2 1 *', '--overlap', 'skip', '--reason', 'the same again'],
      ['pause', scheduleId, '--reason', 'data source down'],
      ['delete', scheduleId, '--reason', 'no longer needed'],
    ]) {
      const result = await mlops(['schedule', ...args, '--json'], env);
      expect(result.code, result.stderr).toBe(0);
    }
    const events = await auditEventsOf(platform.database.db, 'schedule', scheduleId);
    const active = (cron: string, overlap: string) => ({ cron, overlap, paused: false });
    expect(summary(events)).toEqual([
      {
        action: 'schedule-create',
        reason: 'yearly',
        before: null,
        after: { ...active('0 3 1 1 *', 'BUFFER_ONE'), note: `training ${spec.name}` },
      },
      {
        action: 'schedule-update',
        reason: 'a day later',
        before: { ...active('0 3 1 1 *', 'BUFFER_ONE'), note: `training ${spec.name}` },
        after: { ...active('30 4 2 1 *', 'SKIP'), note: `training ${spec.name}` },
      },
      {
        action: 'schedule-pause',
        reason: 'data source down',
        before: { ...active('30 4 2 1 *', 'SKIP'), note: `training ${spec.name}` },
        after: {
          cron: '30 4 2 1 *',
          overlap: 'SKIP',
          paused: true,
          note: expect.stringMatching(/^paused by .*\(cli\): data source down$/),
        },
      },
      {
        action: 'schedule-delete',
        reason: 'no longer needed',
        before: expect.objectContaining({ cron: '30 4 2 1 *', paused: true }),
        after: null,
      },
    ]);
    for (const event of events) expect(event.actor).toMatch(cliActor);
  }, 120_000);

  it('records token creation and revocation with scope and dates, never the token or its hash', async () => {
    const created = await mlops(
      ['tokens', 'create', '--name', tokenName, '--scopes', 'predict,feedback', '--reason', 'ci', '--json'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const { token } = created.json<{ token: string }>();
    const revoke = () => mlops(['tokens', 'revoke', tokenName, '--reason', 'rotated', '--json'], env);
    expect((await revoke()).code).toBe(0);
    // Nothing left to revoke: exit 1, and no second event.
    expect((await revoke()).code).toBe(1);

    const events = await auditEventsOf(platform.database.db, 'token', tokenName);
    expect(events.map((event) => [event.action, event.reason])).toEqual([
      ['token-create', 'ci'],
      ['token-revoke', 'rotated'],
    ]);
    const [creation, revocation] = events;
    expect(creation.before).toBeNull();
    expect(creation.after).toMatchObject({
      name: tokenName,
      scopes: ['predict', 'feedback'],
      revokedAt: null,
    });
    expect(revocation.before).toMatchObject({ revokedAt: null });
    expect(revocation.after).toMatchObject({
      scopes: ['predict', 'feedback'],
      revokedAt: expect.any(String),
    });
    for (const event of events) expect(event.actor).toMatch(cliActor);
    const stored = JSON.stringify(events);
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(hashApiToken(token));
  }, 60_000);

  it('writes one event when the same activity runs twice', async () => {
    const activities = createServingStateActivities(testActivityDependencies(platform, testArtifactStore()));
    const environment = new MockActivityEnvironment();
    const change = {
      modelName: spec.name,
      champion: 2,
      challenger: null,
      share: 0,
      transition: {
        eventKey: `audit-test:${spec.name}#retried`,
        action: 'promote',
        actor: 'audit test',
        reason: 'retried',
      },
    };
    for (let attempt = 0; attempt < 2; attempt += 1)
      await environment.run(activities.setServingTraffic, change);
    const rejection = {
      modelName: spec.name,
      eventKey: `audit-test:${spec.name}#rejected`,
      action: 'challenger-rejected',
      actor: 'audit test',
      reason: 'retried',
      version: 1,
    };
    for (let attempt = 0; attempt < 2; attempt += 1)
      await environment.run(activities.recordLifecycleEvent, rejection);
    const retried = (await modelEvents()).filter((event) => event.reason === 'retried');
    expect(retried.map((event) => event.action)).toEqual(['promote', 'challenger-rejected']);
  });

  it('lists a model’s events in order with `mlops audit --model <name> --json`, and as a table', async () => {
    const listed = await mlops(['audit', '--model', spec.name, '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const { events } = listed.json<{
      events: { action: string; at: string; subject: string; actor: string }[];
    }>();
    expect(events.map((event) => event.action)).toEqual([
      'register',
      'register',
      'promote',
      'promote',
      'rollback',
      'canary-start',
      'approve',
      'canary-promote',
      'schedule-create',
      'schedule-update',
      'schedule-pause',
      'schedule-delete',
      'promote',
      'challenger-rejected',
    ]);
    const times = events.map((event) => Date.parse(event.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const table = await mlops(['audit', '--model', spec.name, '--limit', '3'], env);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+ACTION\s+SUBJECT\s+ACTOR\s+REASON\s+CHANGE$/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/schedule-delete\s+schedule train\//);
    expect(lines[2]).toMatch(/promote .*champion 2 -> 2|promote .*\(no change\)/);

    const tokens = await mlops(['audit', '--subject-kind', 'token', '--json', '--limit', '1000'], env);
    expect(tokens.json<{ events: { subject: string }[] }>().events.map((event) => event.subject)).toContain(
      tokenName,
    );
    expect((await mlops(['audit', '--since', 'yesterday'], env)).code).toBe(2);
  }, 60_000);

  it('refuses to change or delete audit events in the database itself', async () => {
    const client = new pg.Client({ connectionString: testConnections().databaseUrl });
    await client.connect();
    try {
      for (const statement of [
        `update audit_events set reason = 'rewritten' where subject = $1`,
        `delete from audit_events where subject = $1`,
        // Inside a transaction that is rolled back anyway: never a risk to the shared trail.
        'truncate audit_events',
      ]) {
        await client.query('begin');
        try {
          await expect(client.query(statement, statement.includes('$1') ? [spec.name] : [])).rejects.toThrow(
            /audit events cannot be changed/,
          );
        } finally {
          await client.query('rollback');
        }
      }
    } finally {
      await client.end();
    }
    expect((await modelEvents()).every((event) => event.reason !== 'rewritten')).toBe(true);
  });
});
