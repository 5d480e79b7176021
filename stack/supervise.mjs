// Runs one server binary as a child and ties its life to the stack launcher's: when the launcher
// disconnects (exits or is killed) or sends SIGTERM/SIGINT, the binary gets SIGTERM, then SIGKILL
// after a grace period. A binary that dies on its own is started again (keep-running.mjs): its
// state is on disk (the Temporal dev server's SQLite file).
// Usage: supervise.mjs <log file> <command> [args...]. The binary writes to the log file itself,
// not through the launcher's pipes: a Go binary writing to a pipe whose reader died gets SIGPIPE,
// and its logs would be lost with the launcher.
import { spawn } from 'node:child_process';
import { appendFileSync, openSync } from 'node:fs';
import { keepRunning } from './keep-running.mjs';

const [logFile, command, ...args] = process.argv.slice(2);
const log = openSync(logFile, 'a');
let stopping = false;
const child = keepRunning({
  name: command,
  start: () => {
    const started = spawn(command, args, { stdio: ['ignore', log, log] });
    started.on('error', (error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(127);
    });
    return started;
  },
  writeLog: (line) => appendFileSync(logFile, line),
  isStopping: () => stopping,
  onStop: (code, signal) => process.exit(code ?? (signal ? 1 : 0)),
});
process.stdout.write(`${JSON.stringify({ pid: child().pid })}\n`);

function stop() {
  if (stopping) return;
  stopping = true;
  child().kill('SIGTERM');
  setTimeout(() => child().kill('SIGKILL'), 10_000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
