/**
 * `npm run cluster:up`: the Temporal cluster of scripts/cluster/cluster.ts in the foreground until
 * Ctrl-C (the server is built from source the first time). Point the platform at it with its
 * environment file: `set -a; . .mlops/cluster/env; set +a; npm start`.
 */
import { clusterHome, ensureCluster } from './cluster.js';

const log = (line: string) => process.stderr.write(`cluster: ${line}\n`);
const home = clusterHome();
const cluster = await ensureCluster(home, log);
const { state } = cluster;
const lines = [
  `Temporal server ${state.temporalVersion} (frontend, history, matching and worker services; persistence and visibility in PostgreSQL)`,
  `Address      ${state.address} (namespace ${state.namespace})`,
  `Metrics      ${state.metricsUrl}`,
  `Logs         ${home}/logs/temporal.log`,
  `Environment  set -a; . ${cluster.envFile}; set +a   (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE)`,
  `Use it       with that environment, \`npm start\`, \`mlops up\` and \`mlops worker\` run on this cluster`,
];
process.stdout.write(`${lines.join('\n')}\n`);
if (!cluster.owned) {
  process.stdout.write(`(joined the cluster process ${state.ownerPid} runs; it stops with that process)\n`);
  process.exit(0);
}
process.stdout.write('Ctrl-C stops it; its data stays under ' + home + '\n');
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  log('stopping');
  await cluster.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
// The supervised server and PostgreSQL hold IPC channels that do not keep this process alive.
setInterval(() => undefined, 1 << 30);
