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
    '| fault | injected | longest recovery |',
    '|---|---|---|',
    ...[...byKind].map(
      ([kind, records]) =>
        `| ${kind} | ${records.length} | ${(Math.max(...records.map((r) => r.recoveryMs)) / 1000).toFixed(1)} s |`,
    ),
    '',
    '| invariant | value |',
    '|---|---|',
    `| pipelines completed as without faults | ${report.completed} of ${report.runs} |`,
    `| duplicate model versions | ${report.duplicateVersions} |`,
    `| artifacts missing or not matching their sha256 | ${report.missingArtifacts.length} of ${report.checkedArtifacts} |`,
    `| training stages retried / resumed from a checkpoint | ${report.trainingRetries} / ${report.resumedFromCheckpoint} |`,
    `| training stages on the GPU pool / GPU-pool workers killed | ${report.trainedOnGpu} / ${report.gpuKills} |`,
    `| workers that exited on their own (started again) | ${report.workerExits} |`,
    ...servingRows(report.serving),
    `| wall time | ${report.seconds.toFixed(0)} s |`,
  ];
  for (const line of [...report.unexpected, ...report.missingArtifacts]) lines.push(`  ! ${line}`);
  return lines.join('\n');
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
