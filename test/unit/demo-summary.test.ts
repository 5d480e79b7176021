import { describe, expect, it } from 'vitest';
import { eventsBetween } from '../../cli/demo/summary.js';
import type { LifecycleStatus } from '../../contracts/lifecycle.js';
import type { MonitorStatus } from '../../contracts/monitor.js';

describe('demo week events', () => {
  const monitor = {
    retrains: [
      { startedAt: 1_000, finishedAt: 2_500, status: 'succeeded', version: 2, reason: 'live auc dropped' },
    ],
  } as unknown as MonitorStatus;
  const transition = (
    at: number,
    action: string,
    fromVersion: number,
    toVersion: number,
    reason: string,
  ) => ({
    at,
    action,
    actor: 'lifecycle',
    reason,
    fromVersion,
    toVersion,
  });
  const lifecycle = {
    transitions: [
      transition(2_600, 'canary-start', 1, 1, 'v2 serves 30% of requests'),
      transition(3_500, 'canary-promote', 1, 2, 'challenger better'),
    ],
  } as unknown as LifecycleStatus;

  it("lists the week's retraining and lifecycle events in time order, saying when the champion stays", () => {
    expect(
      eventsBetween(0, 3_000, 1, monitor, lifecycle).map((event) => `${event.kind}: ${event.detail}`),
    ).toEqual([
      'retrain-started: live auc dropped',
      'retrain-finished: succeeded: v2',
      'canary-start: v1 stays champion; v2 serves 30% of requests',
    ]);
    expect(eventsBetween(3_000, 4_000, 2, monitor, lifecycle)).toMatchObject([
      { week: 2, kind: 'canary-promote', detail: 'v1 -> v2: challenger better' },
    ]);
    expect(eventsBetween(4_000, 5_000, 3, monitor, null)).toEqual([]);
  });
});
