/**
 * Trees flattened into typed arrays for scoring: one node table for the whole forest, categorical
 * splits as bitsets (or sorted code lists where a bitset would be large). Both the row-wise and
 * the column-wise paths walk it with the same routine, so their results are identical.
 */
import type { GradientBoostingFeatureSchema, GradientBoostingTree } from './types.js';

export interface CompiledForest {
  treeCount: number;
  /** Node index of each tree's root in the tables below. */
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  missingGoesLeft: Uint8Array;
  value: Float64Array;
  /** Where a categorical node's left codes start in `categoryWords` (-1 for other nodes). */
  categoryStart: Int32Array;
  /** Words of the node's bitset, or codes of its sorted list. */
  categoryLength: Int32Array;
  /** 1 where the left codes are a sorted list rather than a bitset. */
  categoryIsList: Uint8Array;
  categoryWords: Int32Array;
  isCategorical: Uint8Array;
  cardinality: Int32Array;
  /** Per feature, its codes seen in training, encoded like a node's left codes. */
  seenStart: Int32Array;
  seenLength: Int32Array;
  seenIsList: Uint8Array;
}

export function compileForest(
  trees: readonly GradientBoostingTree[],
  features: readonly GradientBoostingFeatureSchema[],
): CompiledForest {
  const nodeCount = trees.reduce((total, tree) => total + tree.feature.length, 0);
  const cardinality = Int32Array.from(features, (feature) =>
    feature.kind === 'categorical' ? feature.cardinality : 0,
  );
  const seenEncodings = features.map((feature) =>
    feature.kind === 'categorical' ? encodeCategories(feature.seenCategories) : null,
  );
  const encodings = trees.map((tree) =>
    tree.leftCategories.map((codes) => (codes ? encodeCategories(codes) : null)),
  );
  const wordCount = [...seenEncodings, ...encodings.flat()].reduce(
    (total, encoding) => total + (encoding ? encoding.words.length : 0),
    0,
  );
  const forest: CompiledForest = {
    treeCount: trees.length,
    roots: new Int32Array(trees.length),
    feature: new Int32Array(nodeCount),
    threshold: new Float64Array(nodeCount),
    left: new Int32Array(nodeCount),
    right: new Int32Array(nodeCount),
    missingGoesLeft: new Uint8Array(nodeCount),
    value: new Float64Array(nodeCount),
    categoryStart: new Int32Array(nodeCount).fill(-1),
    categoryLength: new Int32Array(nodeCount),
    categoryIsList: new Uint8Array(nodeCount),
    categoryWords: new Int32Array(wordCount),
    isCategorical: Uint8Array.from(features, (feature) => (feature.kind === 'categorical' ? 1 : 0)),
    cardinality,
    seenStart: new Int32Array(features.length),
    seenLength: new Int32Array(features.length),
    seenIsList: new Uint8Array(features.length),
  };
  let base = 0;
  let nextWord = 0;
  seenEncodings.forEach((encoding, feature) => {
    if (!encoding) return;
    forest.seenStart[feature] = nextWord;
    forest.seenLength[feature] = encoding.words.length;
    forest.seenIsList[feature] = encoding.isList ? 1 : 0;
    forest.categoryWords.set(encoding.words, nextWord);
    nextWord += encoding.words.length;
  });
  trees.forEach((tree, treeIndex) => {
    forest.roots[treeIndex] = base;
    for (let node = 0; node < tree.feature.length; node++) {
      const at = base + node;
      const feature = tree.feature[node];
      forest.feature[at] = feature;
      forest.threshold[at] = tree.threshold[node];
      forest.left[at] = feature < 0 ? -1 : base + tree.left[node];
      forest.right[at] = feature < 0 ? -1 : base + tree.right[node];
      forest.missingGoesLeft[at] = tree.missingGoesLeft[node] ? 1 : 0;
      forest.value[at] = tree.value[node];
      const encoding = encodings[treeIndex][node];
      if (encoding) {
        forest.categoryStart[at] = nextWord;
        forest.categoryLength[at] = encoding.words.length;
        forest.categoryIsList[at] = encoding.isList ? 1 : 0;
        forest.categoryWords.set(encoding.words, nextWord);
        nextWord += encoding.words.length;
      }
    }
    base += tree.feature.length;
  });
  return forest;
}

/** Bitsets beyond this many words (8192 codes) become sorted lists, bounding memory per node. */
const MAX_BITSET_WORDS = 256;

/** A bitset covering codes up to the largest listed one, or the sorted codes themselves. */
function encodeCategories(codes: readonly number[]): { isList: boolean; words: Int32Array } {
  const largest = codes.length > 0 ? codes[codes.length - 1] : -1;
  const wordCount = (largest >>> 5) + 1;
  if (largest >= 0 && wordCount > MAX_BITSET_WORDS) return { isList: true, words: Int32Array.from(codes) };
  const words = new Int32Array(largest >= 0 ? wordCount : 0);
  for (const code of codes) words[code >>> 5] |= 1 << (code & 31);
  return { isList: false, words };
}

/** Value of the leaf a row reaches in a tree; feature j of the row is `values[base + j]`. */
export function leafValue(
  forest: CompiledForest,
  treeIndex: number,
  values: ArrayLike<number>,
  base: number,
): number {
  let node = forest.roots[treeIndex];
  let feature = forest.feature[node];
  while (feature >= 0) {
    node = childFor(forest, node, feature, values[base + feature]);
    feature = forest.feature[node];
  }
  return forest.value[node];
}

/** Rows scored together: their values (row-major, Float64) and the trees stay in cache. */
const CHUNK_ROWS = 256;

/**
 * Adds the outputs of trees [treeFrom, treeTo) to `scores` for the given rows of `columns`
 * (every row when `rows` is null). Tree t adds to output outputBase + t % outputCount, at
 * scores[row * rowStride + output * outputStride]. Each row gets its trees in increasing order,
 * exactly as a row-by-row walk adds them.
 */
export function addForestOutputs(
  forest: CompiledForest,
  treeFrom: number,
  treeTo: number,
  outputCount: number,
  outputBase: number,
  columns: readonly ArrayLike<number>[],
  rows: Uint32Array | null,
  rowCount: number,
  scores: Float64Array,
  rowStride: number,
  outputStride: number,
): void {
  const featureCount = columns.length;
  const chunk = new Float64Array(CHUNK_ROWS * featureCount);
  const chunkRows = new Int32Array(CHUNK_ROWS);
  for (let first = 0; first < rowCount; first += CHUNK_ROWS) {
    const size = Math.min(CHUNK_ROWS, rowCount - first);
    for (let index = 0; index < size; index++)
      chunkRows[index] = rows === null ? first + index : rows[first + index];
    for (let feature = 0; feature < featureCount; feature++) {
      const column = columns[feature];
      for (let index = 0; index < size; index++)
        chunk[index * featureCount + feature] = column[chunkRows[index]];
    }
    for (let tree = treeFrom; tree < treeTo; tree++) {
      const offset = (outputBase + (tree % outputCount)) * outputStride;
      for (let index = 0; index < size; index++) {
        scores[chunkRows[index] * rowStride + offset] += leafValue(forest, tree, chunk, index * featureCount);
      }
    }
  }
}

/**
 * A numeric value goes left when <= threshold (NaN follows the missing direction); a category code
 * goes left when its bit is set, and codes outside [0, cardinality) or not integers follow the
 * missing direction.
 */
function childFor(forest: CompiledForest, node: number, feature: number, value: number): number {
  let goesLeft: boolean;
  if (forest.isCategorical[feature] === 1) {
    const { seenStart, seenLength, seenIsList } = forest;
    const known =
      value >= 0 &&
      value < forest.cardinality[feature] &&
      value === Math.floor(value) &&
      containsCode(forest.categoryWords, seenStart[feature], seenLength[feature], seenIsList[feature], value);
    goesLeft = known
      ? containsCode(
          forest.categoryWords,
          forest.categoryStart[node],
          forest.categoryLength[node],
          forest.categoryIsList[node],
          value,
        )
      : forest.missingGoesLeft[node] === 1;
  } else {
    goesLeft = value <= forest.threshold[node] || (value !== value && forest.missingGoesLeft[node] === 1);
  }
  return goesLeft ? forest.left[node] : forest.right[node];
}

/** Whether `code` is in the bitset (isList 0) or sorted list (isList 1) at words[start..start+length). */
function containsCode(
  words: Int32Array,
  start: number,
  length: number,
  isList: number,
  code: number,
): boolean {
  if (isList === 0) {
    const word = code >>> 5;
    return word < length && ((words[start + word] >>> (code & 31)) & 1) === 1;
  }
  let low = start;
  let high = start + length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (words[middle] < code) low = middle + 1;
    else high = middle;
  }
  return low < start + length && words[low] === code;
}
