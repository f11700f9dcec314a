import { CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { cronPatternError } from '../src/cron-pattern.js';

/** Patterns people write, and mistakes they make: our rule must judge each as BullMQ's parser does. */
const patterns = [
  '0 8 * * 1-5', '*/5 * * * *', '0 0 1 * MON', '30 8 * JAN-MAR *', '0 9 * * mon-fri', '0 0 L * *', '0 0 ? * MON#2', '0 0 15W * ?',
  '0 0 * * 5L', '0 12 1,15 * *', '5-10/2 * * * *', '0 0 * * 7', '0 */2 * * *', '0 0 8 * * 1-5', '*/10 * * * * *', '0 0 LW * *',
  '61 8 * * *', '0 24 * * *', '0 8 32 * *', '0 8 * 13 *', '0 8 * * 8', '0 8 * * 1-5 * *', '0 8 * * MOO', '10-5 * * * *',
  '*/0 * * * *', '0 8 * * 1#6', 'a b c d e', '0 8 0 * *', '0 8 * 0 *', '60 * * * * *', '0 8 * * 1,,2', '0 0 L * ?',
];

/** cron-parser fills in missing fields; a digest schedule with fewer than five is a mistake, refused. */
const tooShort = ['* * *', '* * * *'];

const acceptedByBullmq = (pattern: string) => {
  try {
    CronExpressionParser.parse(pattern);
    return true;
  } catch {
    return false;
  }
};

describe('DIGEST_CRON: the same verdict as cron-parser, without shipping it', () => {
  it.each(patterns)('%s', (pattern) => {
    expect(cronPatternError(pattern) === null).toBe(acceptedByBullmq(pattern));
  });

  it.each(tooShort)('%s: refused, though cron-parser would fill it in', (pattern) => {
    expect(acceptedByBullmq(pattern)).toBe(true);
    expect(cronPatternError(pattern)).toMatch(/^\d fields$/);
  });
});
