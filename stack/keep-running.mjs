// A server process of the embedded stack started again whenever it dies on its own (killed, out of
// memory), on the same state: after 1 s, doubling to 30 s while it keeps dying within a minute of
// its start. Each restart is written to the log and told to the launcher ({"event":"restarted"}
// over IPC). Shared by supervise.mjs (the Temporal dev server) and postgres-server.mjs.
const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;
const STABLE_AFTER_MS = 60_000;

/**
 * Calls `start()` (which returns the child process) now and after every unexpected exit.
 * `isStopping()` tells a wanted exit from a crash; `onStop(code, signal)` runs after a wanted one.
 * Returns a function giving the current child.
 */
export function keepRunning({ name, start, writeLog, isStopping, onStop }) {
  let delayMs = MIN_DELAY_MS;
  let child;
  const launch = () => {
    const startedAt = Date.now();
    child = start();
    child.on('exit', (code, signal) => {
      if (isStopping()) return onStop(code, signal);
      if (Date.now() - startedAt > STABLE_AFTER_MS) delayMs = MIN_DELAY_MS;
      const reason = `exited unexpectedly (code ${code}, signal ${signal})`;
      writeLog(`[supervisor] ${name} ${reason}; restarting in ${delayMs / 1000} s\n`);
      setTimeout(() => {
        if (isStopping()) return onStop(0, null);
        launch();
        process.send?.({ event: 'restarted', pid: child.pid, reason });
      }, delayMs);
      delayMs = Math.min(delayMs * 2, MAX_DELAY_MS);
    });
  };
  launch();
  return () => child;
}
