import type { WorkerDeploymentVersion } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { Config } from '../config/index.js';
import type { Logger } from '../config/logger.js';

type WorkflowService = proto.temporal.api.workflowservice.v1.WorkflowService;
const { WorkerDeploymentVersionStatus, VersionDrainageStatus } = proto.temporal.api.enums.v1;

/**
 * The Worker Deployment version this process's workers poll as: the configured deployment and the
 * code version as build id, so one build of the code is one version. Undefined: unversioned.
 */
export function workerDeploymentVersion(
  deployment: Config['workerDeployment'],
  codeVersion: string,
): WorkerDeploymentVersion | undefined {
  if (!deployment) return undefined;
  if (codeVersion === 'unknown') {
    throw new Error(
      'MLOPS_WORKER_DEPLOYMENT needs a build id, and the code version is unknown (no git checkout): set MLOPS_CODE_VERSION',
    );
  }
  return { deploymentName: deployment.name, buildId: codeVersion };
}

/**
 * Makes `version` its deployment's current version once the server has seen it poll, so new
 * pipelines start on it while runs in flight stay pinned to the build that started them. Only a
 * version that was never current or ramping is promoted: an old build restarted during a rolling
 * upgrade must not roll the deployment back, and a ramp someone started is theirs to finish.
 * Retries until it succeeds or `signal` aborts: the server refuses while the new version does not
 * yet poll every task queue the current one serves (a GPU machine still upgrading).
 */
export async function makeCurrentOncePolling(options: {
  service: WorkflowService;
  namespace: string;
  version: WorkerDeploymentVersion;
  identity: string;
  log: Logger;
  signal: AbortSignal;
}): Promise<void> {
  const { service, namespace, version, log, signal } = options;
  const { deploymentName, buildId } = version;
  let lastProblem = '';
  while (!signal.aborted) {
    try {
      const described = await service.describeWorkerDeployment({ namespace, deploymentName });
      const info = described.workerDeploymentInfo;
      const summary = info?.versionSummaries?.find((entry) => entry.deploymentVersion?.buildId === buildId);
      const previous = info?.routingConfig?.currentDeploymentVersion?.buildId ?? null;
      if (summary && previous === buildId) {
        log.info({ deploymentName, buildId }, 'worker deployment version is already current');
        return;
      }
      if (
        summary &&
        summary.status !== WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_INACTIVE
      ) {
        log.warn(
          { deploymentName, buildId, status: versionStatusName(summary.status) },
          'not making this version current: it was current or ramping before (set it with `temporal worker deployment set-current-version`)',
        );
        return;
      }
      if (summary) {
        await service.setWorkerDeploymentCurrentVersion({
          namespace,
          deploymentName,
          buildId,
          conflictToken: described.conflictToken,
          identity: options.identity,
        });
        log.info({ deploymentName, buildId, previous }, 'worker deployment version is now current');
        return;
      }
      lastProblem = reportOnce(log, lastProblem, 'the server has not seen this version poll yet');
    } catch (error) {
      lastProblem = reportOnce(log, lastProblem, (error as Error).message);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Logs a problem making the version current when it differs from the last one (retries are quiet). */
function reportOnce(log: Logger, last: string, problem: string): string {
  if (problem !== last) log.info({ problem }, 'worker deployment version not current yet; retrying');
  return problem;
}

export interface DeploymentVersionReport {
  readonly buildId: string;
  /** `current`, `ramping`, `draining` (pinned runs still open), `drained`, `inactive`. */
  readonly status: string;
  readonly drainage: string | null;
  readonly createdAt: string | null;
}

export interface DeploymentReport {
  readonly name: string;
  readonly currentBuildId: string | null;
  readonly rampingBuildId: string | null;
  readonly rampingPercentage: number | null;
  readonly versions: readonly DeploymentVersionReport[];
}

/** The deployment's versions and routing, for `mlops doctor`; undefined when no worker joined it yet. */
export async function describeDeployment(
  service: WorkflowService,
  namespace: string,
  deploymentName: string,
): Promise<DeploymentReport | undefined> {
  let described: proto.temporal.api.workflowservice.v1.DescribeWorkerDeploymentResponse;
  try {
    described = await service.describeWorkerDeployment({ namespace, deploymentName });
  } catch (error) {
    if ((error as { code?: number }).code === 5) return undefined; // gRPC NOT_FOUND
    throw error;
  }
  const routing = described.workerDeploymentInfo?.routingConfig;
  const rampingBuildId = routing?.rampingDeploymentVersion?.buildId || null;
  return {
    name: deploymentName,
    currentBuildId: routing?.currentDeploymentVersion?.buildId || null,
    rampingBuildId,
    rampingPercentage: rampingBuildId ? (routing?.rampingVersionPercentage ?? 0) : null,
    versions: (described.workerDeploymentInfo?.versionSummaries ?? []).map((summary) => ({
      buildId: summary.deploymentVersion?.buildId ?? summary.version ?? '',
      status: versionStatusName(summary.status),
      drainage: drainageName(summary.drainageStatus),
      createdAt: timestampIso(summary.createTime),
    })),
  };
}

function versionStatusName(
  status: proto.temporal.api.enums.v1.WorkerDeploymentVersionStatus | null | undefined,
) {
  const name = status ? WorkerDeploymentVersionStatus[status] : undefined;
  return name ? name.replace('WORKER_DEPLOYMENT_VERSION_STATUS_', '').toLowerCase() : 'unknown';
}

function drainageName(status: proto.temporal.api.enums.v1.VersionDrainageStatus | null | undefined) {
  const name = status ? VersionDrainageStatus[status] : undefined;
  return name ? name.replace('VERSION_DRAINAGE_STATUS_', '').toLowerCase() : null;
}

function timestampIso(time: proto.google.protobuf.ITimestamp | null | undefined): string | null {
  if (!time?.seconds) return null;
  return new Date(Number(time.seconds) * 1000).toISOString();
}
