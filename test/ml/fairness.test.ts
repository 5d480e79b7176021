import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type AttributeFairness,
  computeFairness,
  MISSING_GROUP_NAME,
  type SensitiveAttribute,
} from '../../ml/fairness/index.js';
import { MetricsInputError } from '../../ml/metrics/index.js';

interface ExpectedAttribute {
  groups: Record<
    string,
    {
      count: number;
      selectionRate: number;
      truePositiveRate: number;
      falsePositiveRate: number;
      accuracy: number;
    }
  >;
  demographicParityDifference: number;
  demographicParityRatio: number;
  equalizedOddsDifference: number;
}
interface FairnessCase {
  actual: number[];
  predicted: number[];
  classCount: number;
  sensitive: { name: string; codes: number[]; dictionary: string[] }[];
}
interface FairnessFixture {
  binary: FairnessCase & { expected: Record<string, ExpectedAttribute> };
  multiclass: FairnessCase & { expected: Record<string, Record<string, ExpectedAttribute>> };
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/ml/stats/fairness.json', import.meta.url), 'utf8'),
) as FairnessFixture;

function sensitiveOf(testCase: FairnessCase): SensitiveAttribute[] {
  return testCase.sensitive.map((attribute) => ({ ...attribute, codes: Int32Array.from(attribute.codes) }));
}

function expectClose(actual: number | null, expected: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
}

function expectMatchesFairlearn(actual: AttributeFairness, expected: ExpectedAttribute): void {
  expect(actual.groups.map((group) => group.group).sort()).toEqual(Object.keys(expected.groups).sort());
  for (const group of actual.groups) {
    const reference = expected.groups[group.group];
    expect(group.count).toBe(reference.count);
    expectClose(group.selectionRate, reference.selectionRate);
    expectClose(group.truePositiveRate, reference.truePositiveRate);
    expectClose(group.falsePositiveRate, reference.falsePositiveRate);
    expectClose(group.accuracy, reference.accuracy);
  }
  expectClose(actual.overall.demographicParityDifference, expected.demographicParityDifference);
  expectClose(actual.overall.demographicParityRatio, expected.demographicParityRatio);
  expectClose(actual.overall.equalizedOddsDifference, expected.equalizedOddsDifference);
}

describe('fairness metrics', () => {
  it('match Fairlearn per group and across groups for a binary classifier', () => {
    const { binary } = fixture;
    const report = computeFairness({
      actual: Int32Array.from(binary.actual),
      predicted: Int32Array.from(binary.predicted),
      classCount: 2,
      sensitive: sensitiveOf(binary),
      minGroupSize: 30,
    });
    expect(report.classes).toHaveLength(1);
    expect(report.classes[0].positiveClass).toBe('1');
    for (const attribute of report.classes[0].attributes)
      expectMatchesFairlearn(attribute, binary.expected[attribute.attribute]);
    const sex = report.classes[0].attributes[0];
    expect(report.worst.demographicParityDifference).toBeGreaterThanOrEqual(
      sex.overall.demographicParityDifference,
    );
  });

  it('match Fairlearn one-vs-rest for every class of a multiclass classifier', () => {
    const { multiclass } = fixture;
    const report = computeFairness({
      actual: Int32Array.from(multiclass.actual),
      predicted: Int32Array.from(multiclass.predicted),
      classCount: 3,
      sensitive: sensitiveOf(multiclass),
    });
    expect(report.classes.map((entry) => entry.positiveClass)).toEqual(['0', '1', '2']);
    for (const entry of report.classes) {
      for (const attribute of entry.attributes) {
        expectMatchesFairlearn(attribute, multiclass.expected[entry.positiveClass][attribute.attribute]);
      }
    }
    // The worst values across classes and attributes are what fairness gates read.
    const overall = report.classes.flatMap((entry) => entry.attributes.map((attribute) => attribute.overall));
    const values = (pick: (overallValues: (typeof overall)[number]) => number | null) =>
      overall.map(pick).filter((value): value is number => value !== null);
    expect(report.worst.demographicParityDifference).toBe(
      Math.max(...values((entry) => entry.demographicParityDifference)),
    );
    expect(report.worst.demographicParityRatio).toBe(
      Math.min(...values((entry) => entry.demographicParityRatio)),
    );
    expect(report.worst.equalizedOddsDifference).toBe(
      Math.max(...values((entry) => entry.equalizedOddsDifference)),
    );
  });

  it('flags small groups and keeps them, with disparities over the large groups alongside', () => {
    const { binary } = fixture;
    const report = computeFairness({
      actual: Int32Array.from(binary.actual),
      predicted: Int32Array.from(binary.predicted),
      classCount: 2,
      sensitive: sensitiveOf(binary),
      minGroupSize: 30,
    });
    const [sex, region] = report.classes[0].attributes;
    expect(sex.smallGroups).toEqual([MISSING_GROUP_NAME]);
    expect(sex.groups.find((group) => group.group === MISSING_GROUP_NAME)).toMatchObject({
      isMissing: true,
      smallGroup: true,
    });
    expect(region.smallGroups).toEqual(['tiny island']);
    expect(region.groups.some((group) => group.group === 'tiny island')).toBe(true);
    expect(region.excludingSmallGroups!.groupCount).toBe(3);
    expect(region.excludingSmallGroups!.demographicParityDifference).toBeLessThan(
      region.overall.demographicParityDifference,
    );
  });

  it('reports an undefined rate as null (Fairlearn would say 0) and leaves it out of the difference', () => {
    const report = computeFairness({
      actual: Int32Array.from([0, 0, 1, 0, 1, 1]),
      predicted: Int32Array.from([0, 1, 1, 0, 0, 1]),
      probabilities: Float64Array.from([0.9, 0.1, 0.4, 0.6, 0.3, 0.7, 0.8, 0.2, 0.6, 0.4, 0.2, 0.8]),
      classCount: 2,
      classLabels: ['denied', 'approved'],
      positiveClass: 'approved',
      sensitive: [{ name: 'group', codes: Int32Array.from([0, 0, 1, 1, 1, 1]), dictionary: ['a', 'b'] }],
      minGroupSize: 1,
    });
    const [groupA, groupB] = report.classes[0].attributes[0].groups;
    expect(groupA).toMatchObject({
      group: 'a',
      truePositiveRate: null,
      falsePositiveRate: 0.5,
      meanScore: 0.35,
    });
    expect(groupB.truePositiveRate).toBeCloseTo(2 / 3, 15);
    const overall = report.classes[0].attributes[0].overall;
    expect(overall.truePositiveRateDifference).toBe(0);
    expect(overall.equalizedOddsDifference).toBe(0.5);
  });

  it('rejects codes outside the dictionary and predictions out of range', () => {
    const base = { actual: Int32Array.from([0, 1]), predicted: Int32Array.from([0, 1]), classCount: 2 };
    expect(() =>
      computeFairness({
        ...base,
        sensitive: [{ name: 'g', codes: Int32Array.from([0, 5]), dictionary: ['x'] }],
      }),
    ).toThrow(MetricsInputError);
    expect(() =>
      computeFairness({
        ...base,
        predicted: Int32Array.from([0, 3]),
        sensitive: [{ name: 'g', codes: Int32Array.from([0, 0]), dictionary: ['x'] }],
      }),
    ).toThrow(/predicted\[1\]/);
  });
});
