/** One field of a cron pattern: its bounds and the names and special characters it accepts. */
interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** `?`, `L`, `#` as cron-parser (BullMQ's parser) accepts them in this field. */
  special?: 'day-of-month' | 'day-of-week';
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, special: 'day-of-month' },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 7, names: DAYS, special: 'day-of-week' },
];
const SECONDS: CronField = { name: 'second', min: 0, max: 59 };

function value(text: string, field: CronField): number | null {
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index >= 0) return index + (field.names === MONTHS ? 1 : 0);
  if (!/^\d{1,2}$/.test(text)) return null;
  const number = Number(text);
  return number >= field.min && number <= field.max ? number : null;
}

/** Why one comma-separated item of `field` is wrong, or `null`. */
function itemError(item: string, field: CronField): string | null {
  if (field.special === 'day-of-month' && /^(\?|L)$/i.test(item)) return null;
  if (field.special === 'day-of-week') {
    if (item === '?' || /^L$/i.test(item)) return null;
    const last = /^(\w+)L$/i.exec(item);
    if (last) return value(last[1]!, field) === null ? `${item} names no day of the week` : null;
    const nth = /^(\w+)#([1-5])$/.exec(item);
    if (nth) return value(nth[1]!, field) === null ? `${item} names no day of the week` : null;
  }
  const [range, step, extra] = item.split('/');
  if (extra !== undefined || range === undefined || range === '') return `${item} is not a ${field.name}`;
  if (step !== undefined && (!/^\d{1,2}$/.test(step) || Number(step) === 0)) return `${item} has no valid step`;
  if (range === '*') return null;
  const [from, to, more] = range.split('-');
  if (more !== undefined || from === undefined) return `${item} is not a ${field.name}`;
  const start = value(from, field);
  if (start === null) return `${from} is not a ${field.name} (${field.min}-${field.max})`;
  if (to === undefined) return null;
  const end = value(to, field);
  if (end === null) return `${to} is not a ${field.name} (${field.min}-${field.max})`;
  return start <= end ? null : `${range} runs backwards`;
}

/**
 * Why `pattern` is not a cron pattern BullMQ's parser reads (5 fields, or 6 with seconds first:
 * numbers, `*`, ranges, steps, lists, month and day names, and `?`, `L`, `#` where cron-parser
 * takes them), or `null` when it is one. Stricter than cron-parser in one way: fewer than 5 fields,
 * which it fills in silently, are refused.
 */
export function cronPatternError(pattern: string): string | null {
  const parts = pattern.trim().split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) return `${parts.length} fields`;
  const fields = parts.length === 6 ? [SECONDS, ...FIELDS] : FIELDS;
  for (const [index, part] of parts.entries()) {
    for (const item of part.split(',')) {
      const error = itemError(item, fields[index]!);
      if (error !== null) return error;
    }
  }
  return null;
}
