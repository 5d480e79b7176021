/**
 * Scoring ONNX model files as a command trainer writes them (docs/trainers.md). The fixtures and
 * the predictions scikit-learn and LightGBM give for them come from
 * test/fixtures/onnx/make_fixtures.py.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failureMessageOf, InputError } from '../../contracts/errors.js';
import { frameFromColumns, frameFromRows } from '../../ml/frame/index.js';
import type { FramePredictions } from '../../ml/model/index.js';
import {
  loadOnnxScorer,
  OnnxModelError,
  type OnnxExpectation,
  type OnnxScorer,
  type OnnxScorerOptions,
} from '../../ml/onnx/index.js';

interface ExpectedPredictions {
  penguins: { features: string[]; classes: string[]; probabilities: number[][] };
  lightgbm: { features: string[]; classes: string[]; rows: (number | null)[][]; probabilities: number[][] };
  regression: { features: string[]; rows: number[][]; values: number[] };
}

const TOLERANCE = 1e-5;
const expected = JSON.parse(
  readFileSync(new URL('../fixtures/onnx/expected.json', import.meta.url), 'utf8'),
) as ExpectedPredictions;
const penguinRows = JSON.parse(
  readFileSync(new URL('../../node_modules/vega-datasets/data/penguins.json', import.meta.url), 'utf8'),
) as Record<string, unknown>[];
const penguinFrame = frameFromRows(penguinRows);

function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../fixtures/onnx/${name}`, import.meta.url)));
}

const penguinExpectation: OnnxExpectation = {
  features: expected.penguins.features,
  featureKinds: {
    Island: 'string',
    'Beak Length (mm)': 'number',
    'Beak Depth (mm)': 'number',
    'Flipper Length (mm)': 'number',
    'Body Mass (g)': 'number',
    Sex: 'string',
  },
  task: 'multiclass',
  classes: expected.penguins.classes,
};

const lightgbmExpectation: OnnxExpectation = {
  features: expected.lightgbm.features,
  featureKinds: Object.fromEntries(expected.lightgbm.features.map((name) => [name, 'number'])),
  task: 'binary',
  classes: expected.lightgbm.classes,
};

const regressionExpectation: OnnxExpectation = {
  features: expected.regression.features,
  featureKinds: Object.fromEntries(expected.regression.features.map((name) => [name, 'number'])),
  task: 'regression',
  classes: null,
};

/** Loads, runs `use`, and releases the session whatever happens. */
async function withScorer<T>(
  name: string,
  expectation: OnnxExpectation,
  use: (scorer: OnnxScorer) => Promise<T>,
  options?: OnnxScorerOptions,
): Promise<T> {
  const scorer = await loadOnnxScorer(fixture(name), expectation, options);
  try {
    return await use(scorer);
  } finally {
    await scorer.release();
  }
}

/** The error loading `bytes` against `expectation` throws; fails the test if it loads. */
async function loadError(bytes: Uint8Array, expectation: OnnxExpectation): Promise<OnnxModelError> {
  const scorer = await loadOnnxScorer(bytes, expectation).catch((error: unknown) => error);
  if (!(scorer instanceof OnnxModelError)) {
    if (scorer && typeof scorer === 'object' && 'release' in scorer) await (scorer as OnnxScorer).release();
    throw new Error(`expected an OnnxModelError, got ${String(scorer)}`);
  }
  // A stored failure masks single-quoted text: none of the message may be lost to that.
  expect(failureMessageOf(scorer)).toBe(scorer.message);
  return scorer;
}

function classification(predictions: FramePredictions) {
  if (predictions.task === 'regression') throw new Error('expected class probabilities');
  return predictions;
}

function expectClose(actual: ArrayLike<number>, wanted: readonly number[]): void {
  expect(actual.length).toBe(wanted.length);
  for (let index = 0; index < wanted.length; index += 1) {
    if (Math.abs(actual[index] - wanted[index]) > TOLERANCE) {
      throw new Error(
        `value ${index}: ${actual[index]} differs from ${wanted[index]} by more than ${TOLERANCE}`,
      );
    }
  }
}

function argmax(values: readonly number[]): number {
  return values.indexOf(Math.max(...values));
}

describe('loading an ONNX model file', () => {
  it('refuses bytes that are not ONNX with onnxruntime’s reason, as an InvalidModel input error', async () => {
    const error = await loadError(new TextEncoder().encode('garbage'), penguinExpectation);
    expect(error).toBeInstanceOf(InputError);
    expect(error.name).toBe('OnnxModelError');
    expect(error.type).toBe('InvalidModel');
    expect(error.message).toMatch(/^not a valid ONNX model: .*protobuf parsing failed/);
  });

  it('refuses an empty file', async () => {
    const error = await loadError(new Uint8Array(0), penguinExpectation);
    expect(error.message).toBe('not a valid ONNX model: the file is empty');
  });

  it('describes the binding as plain JSON: inputs by the names skl2onnx gives columns, the output read', async () => {
    await withScorer('penguins-pipeline.onnx', penguinExpectation, async (scorer) => {
      expect(scorer.task).toBe('multiclass');
      expect(scorer.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
      expect(scorer.features).toEqual(penguinExpectation.features);
      const { binding } = scorer;
      expect(JSON.parse(JSON.stringify(binding))).toEqual(binding);
      expect(binding.layout).toBe('per-feature');
      expect(binding.inputs.map((input) => [input.name, input.type, input.features])).toEqual([
        ['Island', 'string', ['Island']],
        ['Beak_Length__mm_', 'float32', ['Beak Length (mm)']],
        ['Beak_Depth__mm_', 'float32', ['Beak Depth (mm)']],
        ['Flipper_Length__mm_', 'float32', ['Flipper Length (mm)']],
        ['Body_Mass__g_', 'float32', ['Body Mass (g)']],
        ['Sex', 'string', ['Sex']],
      ]);
      expect(binding.output).toMatchObject({ name: 'probabilities', type: 'float32', width: 3 });
      expect(binding.ignoredOutputs).toEqual(['label']);
    });
  });
});

describe('a scikit-learn pipeline exported by skl2onnx with one input per feature', () => {
  it('predictFrame gives predict_proba for every penguin, rows with missing values included', async () => {
    const predictions = await withScorer('penguins-pipeline.onnx', penguinExpectation, (scorer) =>
      scorer.predictFrame(penguinFrame),
    );
    const { classes, classIndex, probabilities } = classification(predictions);
    expect(classes).toEqual(expected.penguins.classes);
    expectClose(probabilities, expected.penguins.probabilities.flat());
    expect(Array.from(classIndex)).toEqual(expected.penguins.probabilities.map(argmax));
  });

  it('predictRecords gives the same probabilities for the JSON instances a client sends', async () => {
    const [rows, frame] = await withScorer('penguins-pipeline.onnx', penguinExpectation, async (scorer) => [
      await scorer.predictRecords(penguinRows),
      classification(await scorer.predictFrame(penguinFrame)),
    ]);
    expect(rows).toHaveLength(penguinRows.length);
    rows.forEach((row, index) => {
      if (row.task === 'regression') throw new Error('expected class probabilities');
      expectClose(row.probabilities, expected.penguins.probabilities[index]);
      expect(Array.from(row.probabilities)).toEqual(
        Array.from(frame.probabilities.subarray(index * 3, index * 3 + 3)),
      );
      expect(row.classIndex).toBe(frame.classIndex[index]);
      expect(row.label).toBe(expected.penguins.classes[row.classIndex]);
    });
  });

  it('reads record values as the built-in models do: numeric strings are numbers, null and absent are missing', async () => {
    const predictions = await withScorer('penguins-pipeline.onnx', penguinExpectation, (scorer) =>
      scorer.predictRecords([
        {
          Island: 'Biscoe',
          'Beak Length (mm)': 45.2,
          'Beak Depth (mm)': 14.8,
          'Body Mass (g)': 5000,
          Sex: null,
        },
        { Island: 'Biscoe', 'Beak Length (mm)': '45.2', 'Beak Depth (mm)': '14.8', 'Body Mass (g)': '5000' },
        {
          Island: 'Biscoe',
          'Beak Length (mm)': 45.2,
          'Beak Depth (mm)': 14.8,
          'Body Mass (g)': 5000,
          Sex: '',
        },
        {
          Island: 'Biscoe',
          'Beak Length (mm)': 45.2,
          'Beak Depth (mm)': 14.8,
          'Body Mass (g)': 5000,
          Sex: {},
        },
      ]),
    );
    const [first, ...others] = predictions.map((row) =>
      row.task === 'regression' ? [] : Array.from(row.probabilities),
    );
    for (const other of others) expect(other).toEqual(first);
  });

  it('scores missing numbers and null text without throwing: the model decides what they mean', async () => {
    const frame = frameFromRows(
      [
        {
          Island: null,
          'Beak Length (mm)': null,
          'Beak Depth (mm)': NaN,
          'Flipper Length (mm)': 200,
          'Body Mass (g)': null,
          Sex: null,
        },
        { Island: 'Dream', 'Beak Length (mm)': 40 },
      ],
      { columns: penguinExpectation.features },
    );
    await withScorer('penguins-pipeline.onnx', penguinExpectation, async (scorer) => {
      const { probabilities } = classification(await scorer.predictFrame(frame));
      expect(probabilities).toHaveLength(6);
      for (const probability of probabilities) expect(Number.isFinite(probability)).toBe(true);
      const [empty] = await scorer.predictRecords([{}]);
      if (empty.task === 'regression') throw new Error('expected class probabilities');
      expect(Array.from(empty.probabilities).reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 5);
    });
  });

  it('reads a frame column of the other kind: text as numbers, numbers as their text', async () => {
    const rows = penguinRows.slice(0, 40);
    const asText = frameFromRows(rows, { categorical: ['Beak Length (mm)', 'Body Mass (g)'] });
    const sexAsNumber = frameFromRows(rows.map((row) => ({ ...row, Sex: 1 })));
    await withScorer('penguins-pipeline.onnx', penguinExpectation, async (scorer) => {
      const plain = classification(await scorer.predictFrame(frameFromRows(rows)));
      expect(classification(await scorer.predictFrame(asText)).probabilities).toEqual(plain.probabilities);
      const numbered = classification(await scorer.predictFrame(sexAsNumber)).probabilities;
      const texted = await scorer.predictRecords(rows.map((row) => ({ ...row, Sex: '1' })));
      expect(Array.from(numbered)).toEqual(
        texted.flatMap((row) => (row.task === 'regression' ? [] : Array.from(row.probabilities))),
      );
    });
  });

  it('scores a frame of more rows than one batch as it scores it in one run', async () => {
    const whole = await withScorer('penguins-pipeline.onnx', penguinExpectation, (scorer) =>
      scorer.predictFrame(penguinFrame),
    );
    const batched = await withScorer(
      'penguins-pipeline.onnx',
      penguinExpectation,
      (scorer) => scorer.predictFrame(penguinFrame),
      { batchRows: 7, intraOpNumThreads: 2 },
    );
    // Equal up to float32 rounding: onnxruntime multiplies a batch of one row (the last: 344 = 49 * 7
    // + 1) with another kernel than a batch of many.
    expect(
      Array.from(classification(batched).probabilities, (value, index) =>
        Math.abs(value - classification(whole).probabilities[index]),
      ).every((difference) => difference < 1e-7),
    ).toBe(true);
    expect(classification(batched).classIndex).toEqual(classification(whole).classIndex);
  });

  it('refuses a frame without one of the features, naming it', async () => {
    const frame = frameFromRows(penguinRows.slice(0, 3).map(({ Sex: _sex, ...row }) => row));
    await withScorer('penguins-pipeline.onnx', penguinExpectation, async (scorer) => {
      await expect(scorer.predictFrame(frame)).rejects.toThrow(/column "Sex" does not exist/);
    });
  });

  it('refuses to score once released', async () => {
    const scorer = await loadOnnxScorer(fixture('penguins-pipeline.onnx'), penguinExpectation);
    await scorer.release();
    await expect(scorer.predictRecords([{}])).rejects.toThrow(/released/);
    await scorer.release();
  });
});

describe('probabilities as ZipMap’s seq(map(label, float)), the converters’ default', () => {
  it('are refused (onnxruntime-node cannot return them), saying how to export without ZipMap', async () => {
    const error = await loadError(fixture('penguins-pipeline-zipmap.onnx'), penguinExpectation);
    expect(error.type).toBe('InvalidModel');
    expect(error.message).toContain('output "output_probability" is not a tensor');
    expect(error.message).toContain('"output_probability" (not a tensor)');
    expect(error.message).toContain('options={id(model): {"zipmap": False}}');
    expect(error.message).toContain('options={"zipmap": False}');
    expect(error.message).toContain('zipmap=False');
  });
});

describe('a LightGBM binary classifier exported by onnxmltools with one float matrix input', () => {
  const rows = expected.lightgbm.rows.map((values) =>
    Object.fromEntries(expected.lightgbm.features.map((name, index) => [name, values[index]])),
  );

  it('gives LightGBM’s predict_proba, missing values taking the trees’ missing branches', async () => {
    expect(expected.lightgbm.rows.flat()).toContain(null);
    await withScorer('lightgbm-binary-matrix.onnx', lightgbmExpectation, async (scorer) => {
      expect(scorer.binding.layout).toBe('matrix');
      expect(scorer.binding.inputs).toEqual([
        { name: 'input', type: 'float32', shape: ['', 4], rank: 2, features: ['f0', 'f1', 'f2', 'f3'] },
      ]);
      expect(scorer.binding.output).toMatchObject({ name: 'probabilities', width: 2 });
      const { probabilities, classIndex } = classification(await scorer.predictFrame(frameFromRows(rows)));
      expectClose(probabilities, expected.lightgbm.probabilities.flat());
      expect(Array.from(classIndex)).toEqual(expected.lightgbm.probabilities.map(argmax));
      const records = await scorer.predictRecords(rows);
      expectClose(
        records.flatMap((row) => (row.task === 'regression' ? [] : Array.from(row.probabilities))),
        expected.lightgbm.probabilities.flat(),
      );
      expect(records.map((row) => (row.task === 'regression' ? null : row.label))).toEqual(
        expected.lightgbm.probabilities.map((values) => expected.lightgbm.classes[argmax(values)]),
      );
    });
  });
});

describe('a regression model exported by skl2onnx with one float matrix input', () => {
  it('gives LinearRegression’s predict, from a frame and from records', async () => {
    const rows = expected.regression.rows.map((values) =>
      Object.fromEntries(expected.regression.features.map((name, index) => [name, values[index]])),
    );
    await withScorer('linear-regression-matrix.onnx', regressionExpectation, async (scorer) => {
      expect(scorer.binding.output).toMatchObject({ name: 'variable', width: 1 });
      const predictions = await scorer.predictFrame(frameFromRows(rows));
      if (predictions.task !== 'regression') throw new Error('expected values');
      expectClose(predictions.values, expected.regression.values);
      const records = await scorer.predictRecords(rows);
      expectClose(
        records.map((row) => (row.task === 'regression' ? row.value : NaN)),
        expected.regression.values,
      );
    });
  });

  it('feeds int64 inputs rounded (missing as 0) and rank-1 inputs as [N]', async () => {
    const expectation: OnnxExpectation = {
      features: ['count', 'weight'],
      featureKinds: { count: 'number', weight: 'number' },
      task: 'regression',
      classes: null,
    };
    await withScorer('int64-inputs.onnx', expectation, async (scorer) => {
      expect(scorer.binding.inputs.map((input) => [input.name, input.type, input.rank])).toEqual([
        ['count', 'int64', 2],
        ['weight', 'float64', 1],
      ]);
      const frame = frameFromRows([
        { count: 3, weight: 0.5 },
        { count: 2.6, weight: -1 },
        { count: null, weight: 0.25 },
      ]);
      const predictions = await scorer.predictFrame(frame);
      if (predictions.task !== 'regression') throw new Error('expected values');
      expect(Array.from(predictions.values)).toEqual([6.5, 5, 0.25]);
    });
  });
});

describe('a graph that does not fit the dataset is refused, saying what it declares and how to fix it', () => {
  it('names a feature the graph has no input for', async () => {
    const expectation: OnnxExpectation = {
      ...penguinExpectation,
      features: penguinExpectation.features.map((name) => (name === 'Sex' ? 'Gender' : name)),
      featureKinds: { ...penguinExpectation.featureKinds, Gender: 'string' },
    };
    const error = await loadError(fixture('penguins-pipeline.onnx'), expectation);
    expect(error.message).toContain('no input is named as feature "Gender"');
    expect(error.message).toContain('"Sex" string [?, 1]');
    expect(error.message).toContain('"Body_Mass__g_" float32 [?, 1]');
    expect(error.message).toContain('export one input per feature named as the column');
  });

  it('names the class counts when the graph gives 3 probabilities and the dataset has 2 classes', async () => {
    const error = await loadError(fixture('penguins-pipeline.onnx'), {
      ...penguinExpectation,
      task: 'binary',
      classes: ['Adelie', 'Gentoo'],
    });
    expect(error.message).toContain(
      'output "probabilities" (float32 [?, 3]) gives 3 class probabilities per row, but the dataset has 2 classes',
    );
  });

  it('refuses a classifier for a regression dataset', async () => {
    const error = await loadError(fixture('penguins-pipeline.onnx'), {
      ...penguinExpectation,
      task: 'regression',
      classes: null,
    });
    expect(error.message).toContain('gives 3 values per row, as the probabilities of a classifier do');
    expect(error.message).toContain('expected the predicted value as a float tensor [N] or [N, 1]');
  });

  it('refuses a regressor for a classification dataset', async () => {
    const error = await loadError(fixture('linear-regression-matrix.onnx'), {
      ...regressionExpectation,
      task: 'binary',
      classes: ['no', 'yes'],
    });
    expect(error.message).toContain(
      '"variable" (float32 [?, 1]) gives one value per row, as a regression model does',
    );
    expect(error.message).toContain('expected the class probabilities as a float tensor [N, 2]');
  });

  it('refuses a text feature fed through the matrix layout', async () => {
    const error = await loadError(fixture('lightgbm-binary-matrix.onnx'), {
      ...lightgbmExpectation,
      featureKinds: { ...lightgbmExpectation.featureKinds, f1: 'string' },
    });
    expect(error.message).toContain('cannot carry the text feature "f1"');
    expect(error.message).toContain('a string tensor [N, 1] for each text column');
  });

  it('refuses a matrix input of another width than the features', async () => {
    const error = await loadError(fixture('linear-regression-matrix.onnx'), {
      ...regressionExpectation,
      features: ['a', 'b', 'c', 'd'],
      featureKinds: { a: 'number', b: 'number', c: 'number', d: 'number' },
    });
    expect(error.message).toContain('the single input "x" has shape [?, 3], not [N, 4] for the 4 features');
    expect(error.message).toContain('or one float input of shape [N, 4]');
  });

  it('refuses a string input for a numeric column', async () => {
    const error = await loadError(fixture('penguins-pipeline.onnx'), {
      ...penguinExpectation,
      featureKinds: { ...penguinExpectation.featureKinds, Island: 'number' },
    });
    expect(error.message).toContain(
      'input "Island" (feature "Island", a numeric column) is string, not float32, float64 or int64',
    );
  });
});

describe('an empty frame or request', () => {
  it('gives empty predictions', async () => {
    const empty = frameFromColumns(
      Object.fromEntries(expected.lightgbm.features.map((name) => [name, new Float64Array(0)])),
    );
    await withScorer('lightgbm-binary-matrix.onnx', lightgbmExpectation, async (scorer) => {
      const { probabilities, classIndex } = classification(await scorer.predictFrame(empty));
      expect([probabilities.length, classIndex.length]).toEqual([0, 0]);
      expect(await scorer.predictRecords([])).toEqual([]);
    });
  });
});
