import { ConfigError } from './config-error.js';
import type { ValueOf } from './variable.js';
import { variables, type VariableName } from './variables.js';

export type Env = Record<string, string | undefined>;

/** The values of `names`, keyed by name. */
export type Values<K extends VariableName> = { [P in K]: ValueOf<(typeof variables)[P]> };

/**
 * Reads the named variables, each by its one rule. Unset means the default; a variable that is set
 * but blank is an error (a blank token must not quietly turn authentication off). The first bad
 * variable throws a {@link ConfigError} naming it (and its value, unless it may hold a secret).
 */
export function readVariables<K extends VariableName>(env: Env, names: readonly K[]): Values<K> {
  const values: Partial<Record<K, unknown>> = {};
  for (const name of names) {
    const spec = variables[name];
    const raw = env[name];
    if (raw === undefined) {
      values[name] = spec.fallback;
      continue;
    }
    const shown = spec.secret ? undefined : raw;
    if (raw.trim() === '') throw new ConfigError(name, 'is set but blank; give it a value or unset it', shown);
    const parsed = spec.rule.safeParse(raw);
    if (!parsed.success) throw new ConfigError(name, parsed.error.issues[0]?.message ?? 'invalid value', shown);
    values[name] = parsed.data;
  }
  return values as Values<K>;
}
