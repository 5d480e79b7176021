/**
 * What an audit event is about: a model (registry, serving, approvals), a training schedule, an API
 * token, a payload key file (its subject the file's path; the events hold key ids, never keys), the
 * artifact storage (its subject the bucket's URI: `mlops gc` runs that removed something).
 */
export const auditSubjectKinds = ['model', 'schedule', 'token', 'payload-keys', 'storage'] as const;
export type AuditSubjectKind = (typeof auditSubjectKinds)[number];

/**
 * The keys of audit events (`audit_events.event_key`, unique): the same on every retry of the
 * activity that writes one, so an event is recorded once, and never the same for two events.
 */
export const auditKeys = {
  /**
   * A lifecycle workflow's `sequence`-th serving change or verdict. The first run id keeps a
   * lifecycle started anew under the same workflow id from colliding with an earlier one;
   * continue-as-new keeps it (and the sequence).
   */
  lifecycleEvent: (
    execution: { readonly workflowId: string; readonly firstExecutionRunId: string },
    sequence: number,
  ) => `${execution.workflowId}@${execution.firstExecutionRunId}#${sequence}`,
  /** One `mlops gc` run (a command run by a person is one change; `runId` is random per run). */
  gcRun: (runId: string) => `gc:${runId}`,
  /** A pipeline run's registration of its model version. */
  registration: (pipelineWorkflowId: string) => `${pipelineWorkflowId}:register`,
  /** An API token's creation or revocation: each happens once per token row. */
  token: (tokenId: number, change: 'create' | 'revoke') => `token:${tokenId}:${change}`,
  /**
   * A change to a Temporal Schedule. `createdAt` (epoch ms) tells a schedule from an earlier one
   * of the same id; `revision` is the schedule's conflict token after the change, which Temporal
   * advances on every update, pause and unpause (`deleted` for its deletion).
   */
  scheduleChange: (scheduleId: string, createdAt: number, revision: string) =>
    `schedule:${scheduleId}@${createdAt}#${revision}`,
  /**
   * A rotation (`keyId` put first) or retirement (`keyId` removed) of a payload key file. The ids
   * the file held before tell a change from a later one under the same key id (a key retired, then
   * an id reused), while a rerun of the same rotation finds the same ones and records nothing new.
   */
  payloadKeyChange: (
    file: string,
    change: 'rotate' | 'retire',
    keyId: string,
    keyIdsBefore: readonly string[],
  ) => `payload-keys:${file}:${change}:${keyId}<-${keyIdsBefore.join(',')}`,
};
