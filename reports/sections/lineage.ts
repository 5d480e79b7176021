/**
 * Lineage summary: the dataset version the model was trained on, the pipeline run, and every
 * stage run with its worker, cache hit and resource use, with totals for the model version.
 */

import { escapeHtml } from '../escape.js';
import {
  formatBytes,
  formatCount,
  formatCpuSeconds,
  formatDuration,
  formatEnergy,
  isFiniteNumber,
  MISSING,
} from '../format.js';
import { badge, paragraph, renderSection, renderTable } from '../html.js';
import type { Lineage, StageRecord } from '../types.js';

export interface StageTotals {
  readonly durationMs: number | null;
  readonly cpuMs: number | null;
  /** The largest peak of any stage (stages run in separate activities, so peaks do not add up). */
  readonly peakRssBytes: number | null;
  readonly energyJoules: number | null;
  readonly cacheHits: number;
}

/** Sums over the stages that recorded a value; null when none did. */
export function stageTotals(stages: readonly StageRecord[]): StageTotals {
  const sum = (pick: (stage: StageRecord) => number | null | undefined) => {
    const values = stages.map(pick).filter(isFiniteNumber);
    return values.length === 0 ? null : values.reduce((total, value) => total + value, 0);
  };
  const peaks = stages.map((stage) => stage.peakRssBytes).filter(isFiniteNumber);
  return {
    durationMs: sum((stage) => stage.durationMs),
    cpuMs: sum((stage) => stage.cpuMs),
    peakRssBytes: peaks.length === 0 ? null : Math.max(...peaks),
    energyJoules: sum((stage) => stage.energyJoules),
    cacheHits: stages.filter((stage) => stage.cacheHit).length,
  };
}

function statusBadge(status: string): string {
  if (status === 'succeeded') return badge(status, 'pass');
  if (status === 'failed') return badge(status, 'fail');
  return badge(status, 'neutral');
}

function renderDataset(lineage: Lineage): string {
  const { dataset, pipelineRun } = lineage;
  const run = pipelineRun
    ? `<dt>Pipeline run</dt><dd><code>${escapeHtml(pipelineRun.workflowId)}</code> (run <code>${escapeHtml(pipelineRun.runId)}</code>)</dd>`
    : '';
  return (
    `<dl class="facts">` +
    `<dt>Dataset</dt><dd>${escapeHtml(dataset.name)}</dd>` +
    `<dt>Version</dt><dd>${escapeHtml(dataset.version)}</dd>` +
    `<dt>URI</dt><dd><code class="wrap">${escapeHtml(dataset.uri)}</code></dd>` +
    `<dt>SHA-256</dt><dd><code class="wrap">${escapeHtml(dataset.sha256)}</code></dd>` +
    `<dt>Rows</dt><dd>${formatCount(dataset.rows)}</dd>${run}</dl>`
  );
}

function renderStages(stages: readonly StageRecord[]): string {
  if (stages.length === 0) return paragraph('No stage runs were recorded.');
  const totals = stageTotals(stages);
  const rows = stages.map((stage) => [
    escapeHtml(stage.stage),
    statusBadge(String(stage.status)),
    formatCount(stage.attempt),
    `<code>${escapeHtml(stage.workerIdentity)}</code>` +
      (isFiniteNumber(stage.gpuDevice) ? ` (GPU ${formatCount(stage.gpuDevice)})` : ''),
    stage.cacheHit ? badge('hit', 'champion') : 'miss',
    formatDuration(stage.durationMs),
    formatCpuSeconds(stage.cpuMs),
    formatBytes(stage.peakRssBytes),
    formatEnergy(stage.energyJoules),
  ]);
  rows.push([
    '<strong>Total</strong>',
    '',
    '',
    '',
    `${formatCount(totals.cacheHits)} of ${formatCount(stages.length)} hits`,
    formatDuration(totals.durationMs),
    formatCpuSeconds(totals.cpuMs),
    totals.peakRssBytes === null ? MISSING : `max ${formatBytes(totals.peakRssBytes)}`,
    formatEnergy(totals.energyJoules),
  ]);
  return renderTable(
    [
      { title: 'Stage' },
      { title: 'Status' },
      { title: 'Attempt', numeric: true },
      { title: 'Worker' },
      { title: 'Cache' },
      { title: 'Duration', numeric: true },
      { title: 'CPU time', numeric: true },
      { title: 'Peak memory', numeric: true },
      { title: 'Energy (estimate)', numeric: true },
    ],
    rows,
    rows.map((_, index) => (index === rows.length - 1 ? 'row-total' : '')),
  );
}

export function renderLineageSection(lineage: Lineage, stages: readonly StageRecord[]): string {
  return renderSection(
    'lineage',
    'Lineage and cost',
    `<h3>Dataset</h3>${renderDataset(lineage)}<h3>Stages</h3>${renderStages(stages)}` +
      paragraph(
        'Energy is an estimate: CPU-seconds times the configured watts per core, plus GPU power draw where a GPU ran.',
      ),
  );
}
