import { Option, type Command } from 'commander';
import { auditSubjectKinds } from '../../contracts/audit-keys.js';
import { parseLimit, parseSince } from '../options.js';
import { lazyCommand } from '../shared.js';

/** `mlops audit`: the audit trail of registry, serving, schedule, token and payload key changes. */
export function register(program: Command): void {
  program
    .command('audit')
    .description(
      'who changed what and why: registrations, promotions, rollbacks, canaries, approvals, schedules, tokens, payload keys',
    )
    .option('--model <name>', "only this model's events (its training schedule's included)")
    .addOption(
      new Option('--subject-kind <kind>', 'only events about this kind of subject').choices(
        auditSubjectKinds,
      ),
    )
    .option(
      '--since <time>',
      'only events from then on (ISO 8601: 2026-12-01, 2026-12-01T09:30:00Z)',
      parseSince,
    )
    .option('--limit <n>', 'the newest n events (1-1000), shown oldest first', parseLimit, 50)
    .option('--json', 'print the events as JSON')
    .action(lazyCommand(async () => (await import('./audit.js')).auditCommand));
}
