import { Context } from '@temporalio/activity';

/**
 * Runs `work` while heartbeating every few seconds, so a long DuckDB or training step keeps its
 * activity alive and hears cancellation. `details` is read at each beat (progress so far).
 */
export async function withHeartbeat<T>(
  work: () => Promise<T>,
  details: () => unknown = () => undefined,
): Promise<T> {
  const context = Context.current();
  context.heartbeat(details());
  const timer = setInterval(() => context.heartbeat(details()), 5000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
