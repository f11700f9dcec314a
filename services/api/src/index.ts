export { createApp } from './app.js';
export type { ApiDeps } from './deps.js';
export { loadConfig, ConfigError } from './env.js';
export type { ApiConfig } from './env.js';
export { HttpError } from './http-error.js';
export { buildOpenApiDocument } from './openapi.js';
