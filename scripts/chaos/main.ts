/**
 * `npm run test:chaos [-- --short]`: the chaos run (scripts/chaos/run.ts) on a stack of its own
 * under `.mlops/chaos`, then its table of faults and invariants. Exit 1 when an invariant broke.
 */
import path from 'node:path';
import { formatReport, servingHeld } from './report.js';
import { fullPlan, runChaos, shortPlan } from './run.js';

const short = process.argv.includes('--short');
const home = path.resolve(process.env.MLOPS_HOME ?? '.mlops/chaos');
const report = await runChaos(short ? shortPlan : fullPlan, home, (line) =>
  process.stderr.write(`chaos: ${line}\n`),
);
process.stdout.write(`${formatReport(report)}\n`);
const broken =
  report.unexpected.length > 0 ||
  report.duplicateVersions > 0 ||
  report.missingArtifacts.length > 0 ||
  !servingHeld(report.serving);
process.exit(broken ? 1 : 0);
