import { readFile } from 'node:fs/promises';
import type { ArtifactRef } from '../contracts/artifacts.js';
import { isOnnxModelDocument, onnxExpectation, type OnnxModelDocument } from '../contracts/onnx-model.js';
import type { Frame } from '../ml/frame/frame.js';
import { loadModelDocument, type FramePredictions, type ModelDocument } from '../ml/model/index.js';
import { loadOnnxScorer, type OnnxScorer } from '../ml/onnx/index.js';
import { predictFrameInWorker } from '../ml/runner/index.js';
import type { ActivityDependencies } from './dependencies.js';
import { localCopy } from './local-files.js';

/**
 * A registered model file ready to score frames, whichever kind it is: the platform's own model
 * document (scored in worker threads) or an ONNX model document (its ONNX file fetched, checked
 * against its sha256 and scored by onnxruntime). Evaluation, champion comparison and the drift
 * reference read models through this, so both kinds get the same metrics, gates and report.
 */
export type ScoringModel =
  | ({ readonly kind: 'builtin'; readonly document: ModelDocument } & ScoringModelBase)
  | ({ readonly kind: 'onnx'; readonly document: OnnxModelDocument } & ScoringModelBase);

interface ScoringModelBase {
  readonly target: string;
  readonly features: readonly string[];
  predictFrame(frame: Frame): Promise<FramePredictions>;
  release(): Promise<void>;
}

export async function readScoringModel(deps: ActivityDependencies, ref: ArtifactRef): Promise<ScoringModel> {
  const value: unknown = JSON.parse(await readFile(await localCopy(deps, ref, '.json'), 'utf8'));
  if (isOnnxModelDocument(value)) {
    const scorer = await onnxScorerOf(deps, value);
    return {
      kind: 'onnx',
      document: value,
      target: value.target.name,
      features: value.features,
      predictFrame: (frame) => scorer.predictFrame(frame),
      release: () => scorer.release(),
    };
  }
  const document = loadModelDocument(value).document;
  return {
    kind: 'builtin',
    document,
    target: document.target.name,
    features: document.features,
    predictFrame: (frame) => predictFrameInWorker(document, frame),
    release: async () => undefined,
  };
}

/** The ONNX file an ONNX model document names, fetched (sha256 checked) and bound to its features. */
export async function onnxScorerOf(
  deps: ActivityDependencies,
  document: OnnxModelDocument,
): Promise<OnnxScorer> {
  const bytes = await readFile(await localCopy(deps, document.onnx, '.onnx'));
  return loadOnnxScorer(bytes, onnxExpectation(document));
}
