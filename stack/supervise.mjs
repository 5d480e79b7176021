// Runs one server binary as a child and ties its life to the stack launcher's: when the launcher
// disconnects (exits or is killed) or sends SIGTERM/SIGINT, the binary gets SIGTERM, then SIGKILL
// after a grace period. Exits with the binary's status.
// Usage: supervise.mjs <log file> <command> [args...]. The binary writes to the log file itself,
// not through the launcher's pipes: a Go binary writing to a pipe whose reader died gets SIGPIPE,
// and its logs would be lost with the launcher.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';

const [logFile, command, ...args] = process.argv.slice(2);
const log = openSync(logFile, 'a');
const child = spawn(command, args, { stdio: ['ignore', log, log] });
process.stdout.write(`${JSON.stringify({ pid: child.pid })}\n`);

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
child.on('error', (error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(127);
});
