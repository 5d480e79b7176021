import { condition, patched, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { ApprovalRequest } from '../contracts/lifecycle.js';
import { runStatusAttribute } from '../contracts/search-attributes.js';

/** Lifecycles whose approvals were answered before approvals had audit events of their own replay without them. */
export const APPROVAL_AUDITED = 'approval-audited';
/** From here on a lifecycle waiting for an approval says so in MlopsStatus (`awaiting_approval`, then `idle`). */
export const APPROVAL_SEARCHABLE = 'approval-searchable';

/**
 * Waits up to `timeoutSeconds` for a person's answer to a canary, findable meanwhile in the
 * Temporal UI (`MlopsStatus = "awaiting_approval"`) with what is asked in the current details.
 * Resolves with the answer, or null when none came in time.
 */
export async function awaitApproval(
  question: string,
  timeoutSeconds: number,
  answer: () => ApprovalRequest | null,
): Promise<ApprovalRequest | null> {
  const searchable = patched(APPROVAL_SEARCHABLE);
  if (searchable) upsertSearchAttributes([{ key: runStatusAttribute, value: 'awaiting_approval' }]);
  setCurrentDetails(`**awaiting approval** ${question}`);
  await condition(() => answer() !== null, timeoutSeconds * 1000);
  if (searchable) upsertSearchAttributes([{ key: runStatusAttribute, value: 'idle' }]);
  setCurrentDetails('');
  return answer();
}
