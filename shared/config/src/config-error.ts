/** A variable whose value a service cannot use; the message names it and says what is expected. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    /** The environment variable at fault. */
    readonly variable: string,
    /** What is wrong, in plain words. */
    readonly reason: string,
    /** The value as given, when it may be shown (never for secrets). */
    shown?: string,
  ) {
    super(`invalid ${variable}${shown === undefined ? '' : ` (${JSON.stringify(shown.length > 80 ? `${shown.slice(0, 80)}…` : shown)})`}: ${reason}`);
  }
}
