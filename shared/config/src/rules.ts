import { booleanWords } from '@pytest-platform/schema';
import { z } from 'zod';
import { cronPatternError } from './cron-pattern.js';
import { parseDatabaseUrl } from './database-url.js';

/** A rule turns one variable's text into its value, or fails with a message a person can act on. */
export type Rule<T> = z.ZodType<T, string>;

/** The shortest `API_TOKEN` / `API_READ_TOKEN` any service accepts. */
export const MIN_TOKEN_LENGTH = 16;

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

const numeral = /^-?\d+(\.\d+)?$/;

/** A whole number within bounds. */
export const integer = (min: number, max: number = Number.MAX_SAFE_INTEGER): Rule<number> =>
  z
    .string()
    .regex(/^-?\d+$/, { message: 'expected a whole number' })
    .transform(Number)
    .pipe(z.number().min(min, { message: `expected at least ${min}` }).max(max, { message: `expected at most ${max}` }));

/** A number greater than zero, at most `max`. */
export const positiveNumber = (max: number, unit: string): Rule<number> =>
  z
    .string()
    .regex(numeral, { message: `expected a number of ${unit}` })
    .transform(Number)
    .pipe(z.number().positive({ message: `expected a positive number of ${unit}` }).max(max, { message: `expected at most ${max} ${unit}` }));

export const port: Rule<number> = integer(0, 65_535).describe('a port number 0-65535');

export const host: Rule<string> = z.string().regex(/^\S+$/, { message: 'expected a host name or address without spaces' });

const url = (protocols: readonly string[], example: string) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, { message: `expected a ${protocols.map((p) => `${p}//`).join(' or ')} URL, e.g. ${example}` });

export const redisUrl: Rule<string> = url(['redis:', 'rediss:'], 'redis://127.0.0.1:6379');

/** An http(s) base URL, without its trailing slashes. */
export const httpUrl: Rule<string> = url(['http:', 'https:'], 'https://tests.example.com').transform((value) => value.replace(/\/+$/, ''));

export const smtpUrl: Rule<string> = url(['smtp:', 'smtps:'], 'smtps://user:pass@mail.example.com:465');

export const streamName: Rule<string> = z
  .string()
  .max(200, { message: 'expected at most 200 characters' })
  .regex(/^\S+$/, { message: 'expected a stream name without spaces' });

export const databaseUrl: Rule<string> = z.string().superRefine((value, ctx) => {
  try {
    parseDatabaseUrl(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^DATABASE_URL:\s*/, '') });
  }
});

/** A bearer token: one minimum length everywhere, no blanks. */
export const token: Rule<string> = z
  .string()
  .min(MIN_TOKEN_LENGTH, { message: `expected at least ${MIN_TOKEN_LENGTH} characters (e.g. openssl rand -hex 24)` })
  .regex(/^\S+$/, { message: 'expected no spaces or line breaks' });

export const logLevel: Rule<LogLevel> = z.enum(logLevels, { message: `expected one of ${logLevels.join(', ')}` });

/** The reporters' boolean words (`contract.json`), here refused when unknown. */
export const boolean: Rule<boolean> = z.string().transform((value, ctx) => {
  const word = value.trim().toLowerCase();
  if (booleanWords.true.includes(word)) return true;
  if (booleanWords.false.includes(word)) return false;
  ctx.addIssue({ code: 'custom', message: `expected one of ${[...booleanWords.true, ...booleanWords.false].join(', ')}` });
  return z.NEVER;
});

/** A comma-separated list; blank items are dropped. */
export const list = <T>(item: z.ZodType<T, string>): Rule<T[]> =>
  z.string().transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean)).pipe(z.array(item));

export const emails: Rule<string[]> = list(z.email({ message: 'expected a comma-separated list of e-mail addresses' }));

/** A cron pattern as BullMQ reads it (cron-parser): 5 fields, or 6 with seconds first. */
export const cron: Rule<string> = z.string().superRefine((value, ctx) => {
  const error = cronPatternError(value);
  if (error !== null) ctx.addIssue({ code: 'custom', message: `expected a cron pattern of 5 fields (or 6 with seconds first), e.g. "0 8 * * 1-5" (${error})` });
});

export const timeZone: Rule<string> = z.string().refine((value) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}, { message: 'expected an IANA time zone such as Europe/Berlin or UTC' });

/** Free text of at most `max` characters. */
export const text = (max: number): Rule<string> => z.string().max(max, { message: `expected at most ${max} characters` });
