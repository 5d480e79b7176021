import { z } from 'zod';

/** The value schemas environment variables share (config/variables.ts), and what a variable's entry holds. */

export const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be host:port')
  // Only judged once the shape is right, so a malformed value gets one message.
  .refine(
    (value) => !/:\d+$/.test(value) || Number(value.split(':').pop()) <= 65535,
    'port must be at most 65535',
  );
export const port = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be 0 (any free port) or higher')
  .max(65535, 'must be at most 65535');
export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });
export const postgresUrl = z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' });
export const nonEmpty = z.string().min(1, 'must not be empty');
export const duration = z
  .string()
  .regex(/^\d+(ms|s|m)$/, 'must be a duration such as 500ms, 30s or 2m')
  .transform((value) => {
    const amount = Number.parseInt(value, 10);
    if (value.endsWith('ms')) return amount;
    return value.endsWith('m') ? amount * 60_000 : amount * 1000;
  });
/**
 * A retention period or grace: seconds to days (`0s`, `36h`, `90d`), as milliseconds. `off` (null)
 * keeps everything, for the retention variables whose default is to keep.
 */
export const period = z
  .string()
  .regex(/^(\d+(s|m|h|d)|off)$/, 'must be a period such as 30s, 36h or 90d, or off')
  .transform((value) => {
    if (value === 'off') return null;
    const amount = Number.parseInt(value, 10);
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
      value.slice(-1) as 's' | 'm' | 'h' | 'd'
    ];
    return amount * unit;
  });
/** A timeout for a client: 0 would turn it off, and a server without one is held by slow clients. */
export const clientTimeout = duration.pipe(z.number().min(1000, 'must be at least 1s'));
export const bucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be 3-63 lowercase letters, digits, dots or hyphens');
export const gpuList = z
  .string()
  .regex(/^(none|\d+|\d+(,\d+)+,?)$/, 'must be a GPU count (2), a list of device indices (0,1) or none');
export const taskQueue = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be letters, digits, dots, dashes or underscores');
export const logLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
  error: 'must be one of trace, debug, info, warn, error, fatal, silent',
});

export const wholeNumberBetween = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export interface VariableSpec {
  readonly schema: z.ZodType;
  readonly example: string;
  readonly description: string;
  /** Never echoed back in error messages. */
  readonly secret?: boolean;
}
