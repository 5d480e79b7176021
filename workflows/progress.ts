import {
  pipelineStages,
  type PipelineProgress,
  type RunStatus,
  type StageName,
  type StageProgress,
} from '../contracts/pipeline.js';

/** The pipeline's view of its own stages, answered by the `progress` query. One per execution. */
export class ProgressTracker {
  private readonly stages = new Map<StageName, StageProgress>();
  private status: RunStatus = 'running';
  private current: StageName | null = null;
  private waiting: string | null = null;
  private model: PipelineProgress['model'] = null;

  constructor(private readonly pipeline: string) {
    for (const stage of pipelineStages) this.stages.set(stage, { stage, status: 'pending', cacheHit: false });
  }

  start(stage: StageName, detail?: string): void {
    this.current = stage;
    this.stages.set(stage, { stage, status: 'running', cacheHit: false, startedAt: Date.now(), detail });
  }

  finish(stage: StageName, outcome: { cacheHit?: boolean; detail?: string; failed?: boolean } = {}): void {
    const previous = this.stages.get(stage);
    this.stages.set(stage, {
      stage,
      status: outcome.failed ? 'failed' : 'succeeded',
      cacheHit: outcome.cacheHit ?? false,
      startedAt: previous?.startedAt ?? Date.now(),
      finishedAt: Date.now(),
      detail: outcome.detail ?? previous?.detail,
    });
  }

  detail(stage: StageName, detail: string): void {
    const previous = this.stages.get(stage);
    if (previous) this.stages.set(stage, { ...previous, detail });
  }

  skip(stage: StageName, detail: string): void {
    this.stages.set(stage, { stage, status: 'skipped', cacheHit: false, detail });
  }

  waitingFor(reason: string | null): void {
    this.waiting = reason;
  }

  end(status: Exclude<RunStatus, 'running'>, model: PipelineProgress['model']): void {
    this.status = status;
    this.model = model;
    this.current = null;
    this.waiting = null;
    for (const [stage, progress] of this.stages) {
      if (progress.status === 'running')
        this.stages.set(stage, { ...progress, status: 'failed', finishedAt: Date.now() });
    }
  }

  cacheHits(): StageName[] {
    return [...this.stages.values()]
      .filter((progress) => progress.cacheHit)
      .map((progress) => progress.stage);
  }

  snapshot(): PipelineProgress {
    return {
      pipeline: this.pipeline,
      status: this.status,
      currentStage: this.current,
      stages: [...this.stages.values()],
      waitingFor: this.waiting,
      model: this.model,
    };
  }
}
