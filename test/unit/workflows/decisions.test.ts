import { describe, expect, it } from 'vitest';
import { defaultCanaryPolicy, type CanaryPolicy, type LiveEvidence } from '../../../contracts/lifecycle.js';
import type { DriftWindowOutput } from '../../../contracts/loop-stages.js';
import { defaultMonitorPolicy } from '../../../contracts/monitor.js';
import type { TrialResult } from '../../../contracts/pipeline-stages.js';
import type { PipelineSpec } from '../../../spec/types.js';
import { evaluateGates, rejectionReasons } from '../../../workflows/gates.js';
import { judgeCanary, judgeOffline } from '../../../workflows/lifecycle-verdicts.js';
import { judgeWindow } from '../../../workflows/monitor-verdict.js';
import { bestTrial, searchCandidates } from '../../../workflows/tuning.js';

/** The pure decisions the workflows take: no server, milliseconds each. */

describe('gates', () => {
  const inputs = {
    metrics: { accuracy: 0.93, auc: null },
    fairness: { demographic_parity_difference: 0.12, 'demographic_parity_difference:Sex': 0.12 },
    primaryMetric: 'accuracy' as const,
    compareToChampion: false,
  };

  it('pass when every bound holds, one outcome per bound', () => {
    const outcomes = evaluateGates([{ metric: 'accuracy', min: 0.9, max: 0.99 }], inputs);
    expect(outcomes.map((outcome) => [outcome.bound, outcome.passed])).toEqual([
      ['min', true],
      ['max', true],
    ]);
    expect(rejectionReasons(outcomes)).toEqual([]);
  });

  it('fail a metric that cannot be computed: an unknown value never passes', () => {
    const [auc] = evaluateGates([{ metric: 'auc', min: 0.5 }], inputs);
    expect(auc).toMatchObject({ passed: false, value: null });
    expect(rejectionReasons([auc])).toEqual(['auc = not computable, required >= 0.5']);
  });

  it('judge fairness by attribute when one is named, by the worst attribute otherwise', () => {
    const outcomes = evaluateGates(
      [
        { fairness: 'demographic_parity_difference', max: 0.1 },
        { fairness: 'demographic_parity_difference', attribute: 'Sex', max: 0.2 },
      ],
      inputs,
    );
    expect(outcomes.map((outcome) => [outcome.name, outcome.passed])).toEqual([
      ['demographic_parity_difference', false],
      ['demographic_parity_difference:Sex', true],
    ]);
  });

  it('compare with the champion in the metric direction, and pass when there is no champion or it cannot score', () => {
    const against = (
      champion: { version: number; value: number | null } | null,
      metric = 'accuracy' as const,
    ) => evaluateGates([], { ...inputs, primaryMetric: metric, compareToChampion: true, champion })[0];
    expect(against({ version: 3, value: 0.95 })).toMatchObject({
      name: 'champion:accuracy',
      passed: false,
      threshold: 0.95,
      bound: 'min',
      note: 'champion v3',
    });
    expect(against(null)).toMatchObject({ passed: true, note: 'no champion yet' });
    expect(against({ version: 3, value: null })).toMatchObject({
      passed: true,
      note: 'champion v3 cannot score this data',
    });
    const lowerIsBetter = evaluateGates([], {
      ...inputs,
      metrics: { logloss: 0.3 },
      primaryMetric: 'logloss',
      compareToChampion: true,
      champion: { version: 1, value: 0.4 },
    })[0];
    expect(lowerIsBetter).toMatchObject({ bound: 'max', passed: true });
  });

  it('explain a failed bound with the value and what was required, rounded to six places', () => {
    const outcomes = evaluateGates([{ metric: 'accuracy', min: 0.95 }], {
      ...inputs,
      metrics: { accuracy: 0.9312345678 },
    });
    expect(rejectionReasons(outcomes)).toEqual(['accuracy = 0.931235, required >= 0.95']);
  });
});

describe('tuning search', () => {
  const train = (search: PipelineSpec['train']['search'], rest: Partial<PipelineSpec['train']> = {}) =>
    ({
      trainer: 'gradient_boosting',
      params: { learningRate: 0.1 },
      search,
      searchStrategy: 'grid',
      maxParallelTrials: 2,
      resources: { gpu: 0 },
      ...rest,
    }) as PipelineSpec['train'];

  it('tries every combination of a grid over the base params, in a fixed order', () => {
    expect(searchCandidates(train({ maxDepth: [3, 6], l2: [0, 1] }), 42)).toEqual([
      { learningRate: 0.1, l2: 0, maxDepth: 3 },
      { learningRate: 0.1, l2: 0, maxDepth: 6 },
      { learningRate: 0.1, l2: 1, maxDepth: 3 },
      { learningRate: 0.1, l2: 1, maxDepth: 6 },
    ]);
  });

  it('samples a grid larger than maxTrials without repeats, the same for the same seed', () => {
    const spec = train({ maxDepth: [2, 3, 4, 5, 6], l2: [0, 1, 2] }, { maxTrials: 4 });
    const sample = searchCandidates(spec, 7);
    expect(sample).toHaveLength(4);
    expect(new Set(sample.map((candidate) => JSON.stringify(candidate))).size).toBe(4);
    expect(searchCandidates(spec, 7)).toEqual(sample);
    expect(searchCandidates(spec, 8)).not.toEqual(sample);
  });

  it('draws ten seeded random candidates by default for a random search', () => {
    const spec = train({ maxDepth: [2, 3, 4, 5, 6] }, { searchStrategy: 'random' });
    const drawn = searchCandidates(spec, 1);
    expect(drawn).toHaveLength(10);
    expect(drawn.every((candidate) => [2, 3, 4, 5, 6].includes(candidate.maxDepth as number))).toBe(true);
    expect(searchCandidates(spec, 1)).toEqual(drawn);
  });

  it('picks the best trial in the metric direction, skipping trials whose metric could not be computed', () => {
    const trial = (number: number, validationMetric: number | null): TrialResult => ({
      trial: number,
      params: { maxDepth: number },
      model: { uri: `s3://m/${number}`, sha256: String(number), bytes: 1 },
      validationMetric,
      metrics: {},
      durationMs: 1,
    });
    const trials = [trial(1, null), trial(2, 0.8), trial(3, 0.9), trial(4, 0.85)];
    expect(bestTrial(trials, 'auc').trial).toBe(3);
    expect(bestTrial(trials, 'logloss').trial).toBe(2);
    expect(bestTrial([trial(1, null), trial(2, null)], 'auc').trial).toBe(1);
  });
});

describe('canary verdicts', () => {
  const policy: CanaryPolicy = { ...defaultCanaryPolicy, minLabels: 100, minImprovement: 0.01 };
  const evidence = (champion: number | null, challenger: number | null, labeled = 150): LiveEvidence => ({
    metric: 'auc',
    champion: { labeled, value: champion },
    challenger: { labeled, value: challenger },
  });

  it('promote a challenger at least the required gain better live', () => {
    expect(judgeCanary(evidence(0.7, 0.72), policy)).toEqual({
      decision: 'promote',
      why: 'live auc: challenger 0.72 vs champion 0.7 on 150 and 150 labels: better',
    });
  });

  it('roll back one that is worse, or not better by the required gain', () => {
    expect(judgeCanary(evidence(0.7, 0.705), policy).decision).toBe('rollback');
    expect(judgeCanary(evidence(0.7, 0.6), policy).why).toMatch(/: worse$/);
  });

  it('roll back when the bake ends without enough labels, or the metric cannot be computed', () => {
    expect(judgeCanary(evidence(0.7, 0.9, 20), policy).why).toBe(
      'the bake ended with 20 and 20 labeled predictions (champion, challenger); 100 each were needed',
    );
    expect(judgeCanary(null, policy).why).toMatch(/^the bake ended with no labeled predictions/);
    expect(judgeCanary(evidence(null, 0.9), policy)).toEqual({
      decision: 'rollback',
      why: 'live auc could not be computed',
    });
  });

  it('turn a challenger away before any canary only on enough labeled evidence that it falls short', () => {
    const offline = (
      rows: number,
      champion: number | null,
      challenger: number | null,
      lowerIsBetter = false,
    ) => judgeOffline({ metric: 'auc', rows, champion, challenger, lowerIsBetter }, policy);
    expect(offline(500, 0.7, 0.65)).toEqual({
      canary: false,
      why: "on 500 recent labeled requests auc is 0.65 vs the champion's 0.7 (needs +0.01)",
    });
    expect(offline(500, 0.7, 0.75)).toEqual({ canary: true });
    expect(offline(50, 0.7, 0.1)).toEqual({ canary: true });
    expect(offline(500, null, 0.1)).toEqual({ canary: true });
    expect(offline(500, 0.5, 0.3, true)).toEqual({ canary: true });
  });
});

describe('monitor windows', () => {
  const policy = { ...defaultMonitorPolicy, minRows: 100, driftWindows: 2, metricDrop: 0.05, minLabels: 50 };
  const calm = { consecutiveDrifted: 0, episodeStart: null, cooldownUntil: 0 };
  const window = (result: Partial<DriftWindowOutput>, start = 1000, end = 2000) => ({
    start,
    end,
    result: {
      modelVersion: 1,
      rows: 500,
      drifted: false,
      driftedFeatures: [],
      maxPsi: 0.02,
      labeled: 0,
      liveMetric: null,
      reportId: 1,
      note: null,
      ...result,
    },
  });

  it('leave a window with too few predictions unjudged, keeping the drift count', () => {
    const verdict = judgeWindow(
      window({ rows: 20, drifted: true }),
      { ...calm, consecutiveDrifted: 1 },
      policy,
      false,
    );
    expect(verdict).toMatchObject({ consecutiveDrifted: 1, retrainReason: null, startRetraining: false });
    expect(verdict.summary.action).toBe('not judged: 20 rows (< 100)');
  });

  it('start an episode on the first drifted window and retrain when drift persists', () => {
    const first = judgeWindow(window({ drifted: true, driftedFeatures: ['distance'] }), calm, policy, false);
    expect(first).toMatchObject({ consecutiveDrifted: 1, episodeStart: 1000, startRetraining: false });
    const second = judgeWindow(
      window({ drifted: true, driftedFeatures: ['distance'] }, 2000, 3000),
      { ...calm, ...first },
      policy,
      false,
    );
    expect(second).toMatchObject({
      consecutiveDrifted: 2,
      episodeStart: 1000,
      retrainReason: 'drift in 2 consecutive windows (distance)',
      startRetraining: true,
    });
    expect(second.summary.action).toBe('retrain: drift in 2 consecutive windows (distance)');
  });

  it('end an episode on a judged window without drift', () => {
    const verdict = judgeWindow(
      window({}),
      { ...calm, consecutiveDrifted: 1, episodeStart: 500 },
      policy,
      false,
    );
    expect(verdict).toMatchObject({ consecutiveDrifted: 0, episodeStart: null, startRetraining: false });
  });

  it('retrain when the live metric falls more than metricDrop below the test value, on enough labels', () => {
    const live = (value: number, labeled: number, lowerIsBetter = false) =>
      judgeWindow(
        window({ labeled, liveMetric: { name: 'auc', value, testValue: 0.7, lowerIsBetter } }),
        calm,
        policy,
        false,
      );
    expect(live(0.6, 80)).toMatchObject({
      retrainReason: 'live auc 0.6 is more than 0.05 below the test value 0.7',
      startRetraining: true,
    });
    expect(live(0.68, 80).startRetraining).toBe(false);
    expect(live(0.6, 10).startRetraining).toBe(false);
    expect(live(0.8, 80, true).startRetraining).toBe(true);
  });

  it('hold a due retraining during the cooldown or while one runs, saying so', () => {
    const drifting = { ...calm, consecutiveDrifted: 1, episodeStart: 0 };
    const cooling = judgeWindow(
      window({ drifted: true }),
      { ...drifting, cooldownUntil: 5000 },
      policy,
      false,
    );
    expect(cooling).toMatchObject({ startRetraining: false });
    expect(cooling.summary.action).toMatch(/^cooldown: drift in 2 consecutive windows/);
    const running = judgeWindow(window({ drifted: true }), drifting, policy, true);
    expect(running.summary.action).toMatch(/^retraining already: /);
  });
});
