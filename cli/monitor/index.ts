import type { Command } from 'commander';
import { durationSeconds, numberIn, wholeNumberIn } from '../options.js';
import { addSubcommands, lazyCommand, UsageError } from '../shared.js';
import type { MonitorAction, MonitorStartOptions } from './monitor.js';
import type { MonitorReportOptions } from './report.js';

/** `mlops monitor start|status|pause|resume|stop|report <name>`: a model's drift and live-metric monitor. */
export function register(program: Command): void {
  const monitor = program
    .command('monitor')
    .description("the model's monitor: drift per window, live metrics, retraining on production data");
  const run = (action: MonitorAction) =>
    lazyCommand(async () => {
      const { monitorCommand } = await import('./monitor.js');
      return (config, name: string, options: MonitorStartOptions) =>
        monitorCommand(config, action, name, options);
    });
  monitor
    .command('start')
    .description('start watching a model (one monitor per model: a second start finds the running one)')
    .argument('<name>', 'the model')
    .option(
      '--interval <duration>',
      'how often a window is judged (30s, 15m, 1h; default 1h)',
      durationSeconds('--interval'),
    )
    .option(
      '--min-rows <count>',
      'windows with fewer predictions are not judged (default 500)',
      numberIn('--min-rows', 1, 1e9),
    )
    .option(
      '--drift-windows <count>',
      'consecutive drifted windows that start a retrain (default 2)',
      numberIn('--drift-windows', 1, 1000),
    )
    .option(
      '--metric-drop <amount>',
      'live metric drop below the test value that starts a retrain (default 0.05)',
      numberIn('--metric-drop', 0, 1e9),
    )
    .option(
      '--cooldown <duration>',
      'no new retrain this long after one (default 6h)',
      durationSeconds('--cooldown'),
    )
    .option('--json', 'print the workflow id as JSON')
    .action(run('start'));
  addSubcommands<MonitorAction>(
    monitor,
    [
      ['status', 'windows judged, drift in a row, retrains and the policy in force'],
      ['pause', 'stop judging windows until resumed'],
      ['resume', 'judge windows again, from now'],
      ['stop', 'end the monitor (a retraining run in flight goes on)'],
    ],
    { name: '<name>', description: 'the model' },
    run,
  );
  monitor
    .command('report')
    .description(
      "save one monitored window's drift report as HTML (distributions, statistics and thresholds, verdict, live metric over time, events) and print its path",
    )
    .argument('<name>', 'the model')
    .option(
      '--window <n>',
      'which window: 1 = the newest (default), 2 = the one before, ...',
      wholeNumberIn('--window', 1, 1e9),
    )
    .option(
      '--id <reportId>',
      'the drift report with this id instead (from `status --json`)',
      wholeNumberIn('--id', 1, 1e9),
    )
    .option('--output <path>', 'where to save it (default <MLOPS_HOME>/reports/<name>-drift-<id>.html)')
    .option('--open', "open it with the desktop's opener (xdg-open, open) when there is one")
    .option('--json', 'print the saved path and the window as JSON')
    .action(
      lazyCommand(async () => {
        const { monitorReportCommand } = await import('./report.js');
        return (config, name: string, options: MonitorReportOptions) => {
          if (options.window !== undefined && options.id !== undefined)
            throw new UsageError('give --window or --id, not both');
          return monitorReportCommand(config, name, options);
        };
      }),
    );
}
