/**
 * The innermost cause's type and message: what the user needs to read, not "Activity task failed"
 * or "Child workflow execution failed". Pure, so any workflow may import it.
 */
export function describeFailure(error: unknown): { type: string; message: string } {
  let current = error as { cause?: unknown; type?: string; message?: string } | undefined;
  while (current?.cause) current = current.cause as typeof current;
  return { type: current?.type ?? 'Error', message: current?.message ?? String(error) };
}
