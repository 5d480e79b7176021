import { Context } from '@temporalio/activity';
import type { Logger } from '../config/logger.js';
import type { Database } from '../db/client.js';
import type { ArtifactStore } from '../storage/artifact-store.js';

/** What activities need from the outside world, handed to the factory: no module-level clients. */
export interface ActivityDependencies {
  readonly db: Database;
  readonly artifacts: ArtifactStore;
  readonly log: Logger;
  /** `host/pool/pid` of the worker running the activity; recorded with every stage run. */
  readonly workerIdentity: string;
  readonly codeVersion: string;
}

/** The dependencies' logger bound to the running activity: workflow id, activity and attempt on every line. */
export function activityLogger(log: Logger): Logger {
  const { info } = Context.current();
  return log.child({
    workflowId: info.workflowExecution?.workflowId,
    activity: info.activityType,
    attempt: info.attempt,
  });
}
