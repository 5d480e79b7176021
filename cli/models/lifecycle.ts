import { WorkflowNotFoundError } from '@temporalio/client';
import { ModelLoopClient, ModelRequestRefused } from '../../client/loop.js';
import type { Config } from '../../config/index.js';
import type { CanaryPolicy, LifecycleStatus, Transition } from '../../contracts/lifecycle.js';
import type { ModelReference } from '../options.js';
import { openSession, type Session } from '../session.js';
import { cliActor, cliLogger, exitCodes, printJson, UsageError } from '../shared.js';

async function withLoop(
  config: Config,
  work: (loop: ModelLoopClient, session: Session) => Promise<number>,
): Promise<number> {
  const session = await openSession(config, cliLogger(config, 'models'), { workers: true });
  try {
    return await work(new ModelLoopClient(session.client.temporal, config.taskQueues), session);
  } catch (error) {
    // A refused update (validator) or a failed one (unknown version): the user's to fix.
    if (error instanceof ModelRequestRefused) {
      process.stderr.write(`mlops: ${error.message}\n`);
      return exitCodes.failed;
    }
    throw error;
  } finally {
    await session.close();
  }
}

/** `mlops models promote <name>@<version>`: through the model's lifecycle workflow, audited. */
export function promoteCommand(
  config: Config,
  reference: ModelReference,
  options: { reason?: string; json?: boolean },
): Promise<number> {
  if (reference.version === undefined) throw new UsageError('promote needs a version: <name>@<version>');
  const version = reference.version;
  return withLoop(config, async (loop) => {
    const result = await loop.promote(reference.name, { version, actor: cliActor(), reason: options.reason });
    printTransition(result.transition, options.json);
    return exitCodes.ok;
  });
}

/** `mlops models rollback <name>`: back to the previous champion. */
export function rollbackCommand(
  config: Config,
  name: string,
  options: { reason?: string; json?: boolean },
): Promise<number> {
  return withLoop(config, async (loop) => {
    const result = await loop.rollback(name, { actor: cliActor(), reason: options.reason });
    printTransition(result.transition, options.json);
    return exitCodes.ok;
  });
}

/** `mlops models challenge` options, parsed by commander (cli/options.ts). */
export interface ChallengeOptions {
  readonly share?: number;
  /** Seconds. */
  readonly bake?: number;
  readonly minLabels?: number;
  readonly reason?: string;
  readonly json?: boolean;
}

/** `mlops models challenge <name>@<version>`: judge it against the champion, canary, then promote or roll back. */
export function challengeCommand(
  config: Config,
  reference: ModelReference,
  options: ChallengeOptions,
): Promise<number> {
  if (reference.version === undefined) throw new UsageError('challenge needs a version: <name>@<version>');
  const version = reference.version;
  const canary: Partial<CanaryPolicy> = {
    ...(options.share === undefined ? {} : { share: options.share }),
    ...(options.bake === undefined ? {} : { bakeSeconds: options.bake }),
    ...(options.minLabels === undefined ? {} : { minLabels: options.minLabels }),
  };
  return withLoop(config, async (loop) => {
    await loop.challenge(reference.name, { version, actor: cliActor(), reason: options.reason, canary });
    if (options.json) printJson({ accepted: true, model: reference.name, challenger: version });
    else
      process.stdout.write(
        `v${version} accepted as challenger of ${reference.name}; \`mlops models status ${reference.name}\` follows it\n`,
      );
    return exitCodes.ok;
  });
}

/** `mlops models approve <name> promote|rollback`: answers a canary that waits for a person. */
export function approveCommand(
  config: Config,
  name: string,
  decision: string,
  options: { reason?: string; json?: boolean },
): Promise<number> {
  if (decision !== 'promote' && decision !== 'rollback')
    throw new UsageError(`the decision is promote or rollback, not ${JSON.stringify(decision)}`);
  return withLoop(config, async (loop) => {
    await loop.approve(name, { decision, actor: cliActor(), reason: options.reason });
    if (options.json) printJson({ accepted: true, decision });
    else process.stdout.write(`${decision} accepted for ${name}\n`);
    return exitCodes.ok;
  });
}

/** `mlops models status <name>`: champion, canary and recent transitions from the lifecycle workflow. */
export function lifecycleStatusCommand(
  config: Config,
  name: string,
  options: { json?: boolean },
): Promise<number> {
  return withLoop(config, async (loop) => {
    let status: LifecycleStatus;
    try {
      status = await loop.lifecycleStatus(name);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      // No lifecycle workflow: nothing was ever promoted, rolled back or canaried for this name.
      if (options.json) printJson({ modelName: name, lifecycle: null });
      else
        process.stdout.write(
          `${name}: no promotion, rollback or canary yet (its lifecycle starts with the first: \`mlops models promote ${name}@<version>\`, or a run with deploy.promote); \`mlops models list\` shows the registered models\n`,
        );
      return exitCodes.ok;
    }
    if (options.json) printJson(status);
    else process.stdout.write(`${renderStatus(status).join('\n')}\n`);
    return exitCodes.ok;
  });
}

function printTransition(transition: Transition, json: boolean | undefined): void {
  if (json) printJson(transition);
  else
    process.stdout.write(
      `${transition.action}: v${transition.fromVersion ?? '-'} -> v${transition.toVersion} (${transition.reason}; by ${transition.actor})\n`,
    );
}

function renderStatus(status: LifecycleStatus): string[] {
  const lines = [`${status.modelName}: champion v${status.champion ?? '-'}`];
  if (status.canary) {
    const evidence = status.canary.evidence;
    lines.push(
      `  canary     v${status.canary.challengerVersion} at ${Math.round(status.canary.share * 100)}% until ${new Date(status.canary.deadline).toISOString()}` +
        (evidence
          ? `; live ${evidence.metric}: challenger ${evidence.challenger.value ?? 'n/a'} (${evidence.challenger.labeled} labels) vs champion ${evidence.champion.value ?? 'n/a'} (${evidence.champion.labeled})`
          : ''),
    );
  }
  if (status.awaitingApproval) {
    lines.push(
      `  approval   waiting until ${new Date(status.awaitingApproval.deadline).toISOString()}; recommended ${status.awaitingApproval.recommended}: ${status.awaitingApproval.why}`,
    );
  }
  for (const transition of status.transitions.slice(-10)) {
    lines.push(
      `  ${new Date(transition.at).toISOString()}  ${transition.action.padEnd(18)} v${transition.fromVersion ?? '-'} -> v${transition.toVersion ?? '-'}  ${transition.reason}`,
    );
  }
  return lines;
}
