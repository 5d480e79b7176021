import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnCommand, type SpawnedCommand } from './processes.js';

/**
 * Test hosts made of Linux network namespaces on this machine: each has its own network stack
 * (loopback included: what listens on 127.0.0.1 in one is unreachable from the others), its own
 * host name and temp folder, and an address on a bridge of the test's own (10.77.0.0/24). This
 * machine's namespace is on the bridge too, at 10.77.0.254, as the test's client.
 */
export interface TestHost {
  readonly name: string;
  readonly address: string;
  /** Runs `mlops <args>` on this host, as its own host name, with only `env` (and PATH, HOME). */
  mlops(args: string[], env: NodeJS.ProcessEnv): SpawnedCommand;
  /** The host drops off the network: its link goes down (no FIN, no RST: peers just stop hearing it). */
  disconnect(): void;
  reconnect(): void;
  /** What the host sends goes out at most this fast (a token bucket); 0 lifts the limit. */
  throttle(kbitPerSecond: number): void;
}

const PREFIX = 'mlopst';
const BRIDGE = `${PREFIX}-br`;
const CLIENT_ADDRESS = '10.77.0.254';

/** Whether this machine lets the test make namespaces (root with `ip`, `unshare` and `tc`). */
export function canMakeHosts(): boolean {
  if (process.getuid?.() !== 0) return false;
  return ['ip', 'unshare', 'tc'].every((tool) => spawnSync('which', [tool]).status === 0);
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

/** Removes what an earlier run of the test left (a crash leaves namespaces and the bridge behind). */
export function removeHosts(): void {
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(' ')[0])
    .filter((name) => name.startsWith(PREFIX));
  for (const name of namespaces) {
    // Processes still in it would keep it alive: kill them first.
    const pids = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean);
    for (const pid of pids) spawnSync('kill', ['-9', pid]);
    spawnSync('ip', ['netns', 'delete', name]);
  }
  // A namespace goes away once its last process has: its veth ends may outlive the delete a while.
  const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\d+: ([^:@]+)/.exec(line)?.[1])
    .filter((name): name is string => name?.startsWith(`${PREFIX}-`) ?? false);
  for (const link of links) spawnSync('ip', ['link', 'delete', link]);
  for (const folder of tempFolders.splice(0)) rmSync(folder, { recursive: true, force: true });
}

// Each host's temp folder, under the machine's (not the checkout: PostgreSQL's binaries and data
// go there, for the postgres user, which cannot reach into a checkout under `mktemp -d`).
const tempFolders: string[] = [];

export function makeHosts(names: readonly string[]): TestHost[] {
  removeHosts();
  ip('link', 'add', BRIDGE, 'type', 'bridge');
  ip('addr', 'add', `${CLIENT_ADDRESS}/24`, 'dev', BRIDGE);
  ip('link', 'set', BRIDGE, 'up');
  return names.map((name, index) => {
    const namespace = `${PREFIX}-${name}`;
    const link = `${PREFIX}-${index}`;
    const address = `10.77.0.${index + 1}`;
    ip('netns', 'add', namespace);
    ip('link', 'add', link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace);
    ip('link', 'set', link, 'master', BRIDGE, 'up');
    ip('-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    ip('-n', namespace, 'link', 'set', 'eth0', 'up');
    ip('-n', namespace, 'link', 'set', 'lo', 'up');
    const temp = mkdtempSync(path.join(os.tmpdir(), `mlops-test-${name}-`));
    chmodSync(temp, 0o755);
    tempFolders.push(temp);
    return {
      name,
      address,
      mlops(args, env) {
        const script = `hostname ${name} && exec "$0" "$@"`;
        return spawnCommand(
          'ip',
          [
            'netns',
            'exec',
            namespace,
            'unshare',
            '--uts',
            'sh',
            '-c',
            script,
            process.execPath,
            path.resolve('cli/mlops.mjs'),
            ...args,
          ],
          { TMPDIR: temp, MLOPS_LOG_LEVEL: 'warn', ...env },
        );
      },
      disconnect: () => ip('link', 'set', link, 'down'),
      reconnect: () => ip('link', 'set', link, 'up'),
      throttle(kbitPerSecond) {
        const tc = (...args: string[]) =>
          spawnSync('ip', ['netns', 'exec', namespace, 'tc', ...args], { stdio: 'pipe' });
        tc('qdisc', 'del', 'dev', 'eth0', 'root');
        if (kbitPerSecond === 0) return;
        const added = tc(
          'qdisc',
          'add',
          'dev',
          'eth0',
          'root',
          'tbf',
          'rate',
          `${kbitPerSecond}kbit`,
          'burst',
          '16kbit',
          'latency',
          '10s',
        );
        if (added.status !== 0) throw new Error(`tc tbf on ${name}: ${added.stderr.toString()}`);
      },
    };
  });
}

/** The variables a shell gets from sourcing `file` (`set -a; . file`), as a user on a worker machine does. */
export function sourcedVariables(file: string): Record<string, string> {
  const dump = (command: string) =>
    Object.fromEntries(
      execFileSync('bash', ['-c', `${command}env -0`], { encoding: 'utf8', env: { PATH: process.env.PATH } })
        .split('\0')
        .filter(Boolean)
        .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
    );
  const before = dump('');
  const after = dump(`set -a; . ${JSON.stringify(file)}; set +a; `);
  return Object.fromEntries(Object.entries(after).filter(([name, value]) => before[name] !== value));
}
