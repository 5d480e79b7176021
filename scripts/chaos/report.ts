/** What the chaos run reports, and the table `npm run test:chaos` prints of it. */
import type { FaultKind, FaultRecord } from './faults.js';
import type { ServingChaosReport } from './serving.js';

export interface ChaosReport {
  readonly faults: readonly FaultRecord[];
  /** Of the worker kills, those of GPU-pool workers. */
  readonly gpuKills: number;
  readonly runs: number;
  readonly completed: number;
  readonly unexpected: readonly string[];
  readonly duplicateVersions: number;
  readonly missingArtifacts: readonly string[];
  readonly checkedArtifacts: number;
  readonly trainingRetries: number;
  /** Training stages a GPU-pool worker ran (their identity says /gpu/). */
  readonly trainedOnGpu: number;
  readonly resumedFromCheckpoint: number;
  /** Summed over the retried trainings: iterations reached before the kill and trained again. */
  readonly roundsRedone: number;
  /** Workers that exited without being killed (and were started again). */
  readonly workerExits: number;
  readonly serving?: ServingChaosReport;
  readonly seconds: number;
}

/** The report as the table `npm run test:chaos` prints. */
export function formatReport(report: ChaosReport): string {
  const byKind = new Map<FaultKind, FaultRecord[]>();
  for (const fault of report.faults) byKind.set(fault.kind, [...(byKind.get(fault.kind) ?? []), fault]);
  const lines = [
    '| fault | injected | longest recovery | stages it hit (times) |',
    '|---|---|---|---|',
    ...[...byKind].map(
      ([kind, records]) =>
        `| ${kind} | ${records.length} | ${(Math.max(...records.map((r) => r.recoveryMs)) / 1000).toFixed(1)} s | ${stagesHit(records)} |`,
    ),
    '',
    '| invariant | value |',
    '|---|---|',
    `| pipelines completed as without faults | ${report.completed} of ${report.runs} |`,
    `| duplicate model versions | ${report.duplicateVersions} |`,
    `| artifacts missing or not matching their sha256 | ${report.missingArtifacts.length} of ${report.checkedArtifacts} |`,
    `| training stages retried / resumed from a checkpoint / rounds redone (built-in trainers) | ${report.trainingRetries} / ${report.resumedFromCheckpoint} / ${report.roundsRedone} |`,
    `| training stages on the GPU pool / GPU-pool workers killed | ${report.trainedOnGpu} / ${report.gpuKills} |`,
    `| workers that exited on their own (started again) | ${report.workerExits} |`,
    ...servingRows(report.serving),
    `| wall time | ${report.seconds.toFixed(0)} s |`,
  ];
  for (const line of [...report.unexpected, ...report.missingArtifacts]) lines.push(`  ! ${line}`);
  return lines.join('\n');
}

/** `train (5), ingest (1)`: how many of the faults hit each stage; `-` when none hit a stage. */
function stagesHit(records: readonly FaultRecord[]): string {
  const counts = new Map<string, number>();
  for (const record of records)
    for (const stage of record.stages) counts.set(stage, (counts.get(stage) ?? 0) + 1);
  const hit = [...counts].sort((a, b) => b[1] - a[1]).map(([stage, count]) => `${stage} (${count})`);
  return hit.join(', ') || '-';
}

function servingRows(serving: ServingChaosReport | undefined): string[] {
  if (!serving) return [];
  const statuses = [...serving.traffic.statuses]
    .map(([status, count]) => `${status === 0 ? 'connection error' : status}: ${count}`)
    .join(', ');
  return [
    `| prediction requests answered (by status) | ${statuses} |`,
    `| prediction-log rows / predictions answered | ${serving.logged} / ${serving.answered} |`,
    `| canary added during an S3 freeze, served after | ${serving.canaryServed === undefined ? 'not added' : serving.canaryServed ? 'yes' : 'NO'} |`,
  ];
}

/** Whether the serving side held: every request answered 200, every answer logged once, the canary served. */
export function servingHeld(serving: ServingChaosReport | undefined): boolean {
  if (!serving) return true;
  const non200 = [...serving.traffic.statuses].filter(([status]) => status !== 200).length;
  return non200 === 0 && serving.logged === serving.answered && serving.canaryServed !== false;
}
