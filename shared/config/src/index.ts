export { ConfigError } from './config-error.js';
export { parseDatabaseUrl, DEFAULT_SQLITE_FILE } from './database-url.js';
export type { DatabaseTarget } from './database-url.js';
export { readVariables } from './read-variables.js';
export type { Env, Values } from './read-variables.js';
export { variables } from './variables.js';
export type { VariableName } from './variables.js';
export { MIN_TOKEN_LENGTH, logLevels } from './rules.js';
export type { LogLevel, Rule } from './rules.js';
