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
  /** A pipeline run's registration of its model version. */
  registration: (pipelineWorkflowId: string) => `${pipelineWorkflowId}:register`,
};
