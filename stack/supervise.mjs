// Runs one server binary as a child and ties its life to the stack launcher's: when the launcher
// disconnects (exits or is killed) or sends SIGTERM/SIGINT, the binary gets SIGTERM, then SIGKILL
// after a grace period. A binary that dies on its own is started again (its state is on disk: the
// Temporal dev server's SQLite file), after 1 s, doubling to 30 s while it keeps dying within a
// minute of its start; each restart is told to the launcher ({"event":"restarted"} over IPC) and
// written to the log.
// Usage: supervise.mjs <log file> <command> [args...]. The binary writes to the log file itself,
// not through the launcher's pipes: a Go binary writing to a pipe whose reader died gets SIGPIPE,
// and its logs would be lost with the launcher.
import { spawn } from 'node:child_process';
import { appendFileSync, openSync } from 'node:fs';

const [logFile, command, ...args] = process.argv.slice(2);
const log = openSync(logFile, 'a');
const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

let stopping = false;
let child;
let delayMs = MIN_DELAY_MS;

function start() {
  const startedAt = Date.now();
  child = spawn(command, args, { stdio: ['ignore', log, log] });
  child.on('error', (error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => {
    if (stopping) process.exit(code ?? (signal ? 1 : 0));
    if (Date.now() - startedAt > 60_000) delayMs = MIN_DELAY_MS;
    const reason = `exited unexpectedly (code ${code}, signal ${signal})`;
    appendFileSync(logFile, `[supervisor] ${command} ${reason}; restarting in ${delayMs / 1000} s\n`);
    setTimeout(() => {
      if (stopping) return process.exit(0);
      start();
      process.send?.({ event: 'restarted', pid: child.pid, reason });
    }, delayMs);
    delayMs = Math.min(delayMs * 2, MAX_DELAY_MS);
  });
  return child;
}

process.stdout.write(`${JSON.stringify({ pid: start().pid })}\n`);

function stop() {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
