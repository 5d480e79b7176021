import { Connection } from '@temporalio/client';
import type { Config } from '../../config/index.js';
import { temporalConnectionOptions, type Connections } from '../../config/connections.js';
import { describeDeployment, type DeploymentReport } from '../../workers/deployment.js';
import type { Check } from './doctor.js';

/**
 * The Worker Deployment the workers join: its versions, which is current and which ramping, so an
 * operator sees where new runs go and which old builds still have pinned runs (draining).
 */
export async function checkDeployment(
  config: Config,
  connections: Connections,
): Promise<{ check: Check; report?: DeploymentReport }> {
  const name = config.workerDeployment?.name ?? '';
  const { address, namespace } = connections.temporal;
  try {
    const connection = await Connection.connect({
      ...temporalConnectionOptions(config, address),
      connectTimeout: 3000,
    });
    try {
      const report = await describeDeployment(connection.workflowService, namespace, name);
      if (!report) {
        return {
          check: {
            name: 'worker versions',
            ok: true,
            detail: `deployment ${name}: no worker has polled as one of its versions yet`,
          },
        };
      }
      const versions = report.versions.map((version) => `${version.buildId} (${version.status})`).join(', ');
      const ramping = report.rampingBuildId
        ? `, ramping ${report.rampingBuildId} at ${report.rampingPercentage}%`
        : '';
      return {
        report,
        check: {
          name: 'worker versions',
          ok: report.currentBuildId !== null,
          detail: `deployment ${name}: current ${report.currentBuildId ?? 'none'}${ramping}; versions ${versions || 'none'}`,
          fix: `make a build current: \`temporal worker deployment set-current-version --deployment-name ${name} --build-id <build id>\`, or start its workers with MLOPS_WORKER_SET_CURRENT=true`,
        },
      };
    } finally {
      await connection.close();
    }
  } catch (error) {
    return {
      check: {
        name: 'worker versions',
        ok: false,
        detail: `deployment ${name}: ${(error as Error).message}`,
        fix: 'Worker Deployments need Temporal Server 1.28 or later',
      },
    };
  }
}
