import type { Rule } from './rules.js';

/** One environment variable: the rule that reads it, its default, whether it may be shown. */
export interface Variable<T> {
  rule: Rule<unknown>;
  /** Used when the variable is unset. */
  fallback: T;
  /** Never echoed in an error message (tokens, URLs that may hold a password). */
  secret: boolean;
  /** One line for the docs. */
  doc: string;
  /** Type carrier only. */
  readonly _value?: T;
}

/** A variable with a default. */
export function variable<T>(rule: Rule<T>, options: { default: NoInfer<T>; doc: string; secret?: boolean }): Variable<T>;
/** A variable that may stay unset (`undefined`). */
export function variable<T>(rule: Rule<T>, options: { doc: string; secret?: boolean }): Variable<T | undefined>;
export function variable<T>(rule: Rule<T>, options: { default?: T; doc: string; secret?: boolean }): Variable<T | undefined> {
  return { rule, fallback: options.default, secret: options.secret ?? false, doc: options.doc };
}

export type ValueOf<V> = V extends Variable<infer T> ? T : never;
