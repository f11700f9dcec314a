export { createRedisClient, redactUrl } from './redis-client.js';
export type { RedisClientOptions } from './redis-client.js';
