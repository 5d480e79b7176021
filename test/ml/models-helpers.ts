/** Small helpers shared by the model tests: seeded splits and the metrics the assertions use. */
import { readFileSync } from 'node:fs';
import type { Frame } from '../../ml/frame/frame.js';
import { frameFromRows, takeRows } from '../../ml/frame/index.js';
import { seededRandom } from '../../contracts/seeded-random.js';
export { seededRandom };

export function seededPermutation(count: number, seed: number): Int32Array {
  const random = seededRandom(seed);
  const order = Int32Array.from({ length: count }, (_, index) => index);
  for (let index = count - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other], order[index]];
  }
  return order;
}

export function randomSplit(frame: Frame, testFraction: number, seed: number): { train: Frame; test: Frame } {
  const order = seededPermutation(frame.rowCount, seed);
  const testCount = Math.round(frame.rowCount * testFraction);
  return {
    test: takeRows(frame, order.subarray(0, testCount)),
    train: takeRows(frame, order.subarray(testCount)),
  };
}

export function loadPenguins(): Frame {
  const rows = JSON.parse(
    readFileSync(new URL('../../node_modules/vega-datasets/data/penguins.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>[];
  return frameFromRows(rows);
}

/** Area under the ROC curve by ranks (ties get their average rank). */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const order = Array.from({ length: labels.length }, (_, index) => index).sort(
    (a, b) => scores[a] - scores[b],
  );
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end += 1;
    const averageRank = (start + end) / 2 + 1;
    for (let position = start; position <= end; position += 1) {
      if (labels[order[position]] === 1) {
        positives += 1;
        positiveRankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = labels.length - positives;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export function accuracy(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  let correct = 0;
  for (let index = 0; index < actual.length; index += 1) if (predicted[index] === actual[index]) correct += 1;
  return correct / actual.length;
}
