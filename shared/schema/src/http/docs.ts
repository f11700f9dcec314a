import { z } from 'zod';
import { unauthorized } from './error-responses.js';
import { defineRoute } from './route.js';

export const getOpenApiRoute = defineRoute({
  method: 'get',
  path: '/openapi.json',
  operationId: 'getOpenApi',
  tag: 'ops',
  summary: 'This document',
  response: { status: 200, schema: z.record(z.string(), z.unknown()), description: 'OpenAPI 3.1' },
  errors: { 401: unauthorized },
});

/** The Swagger UI page; its scripts and styles are served beside it under `/docs/`. */
export const getDocsRoute = defineRoute({
  method: 'get',
  path: '/docs/',
  operationId: 'getDocs',
  tag: 'ops',
  summary: 'Swagger UI over this document',
  response: { status: 200, schema: z.string(), description: 'HTML page', contentType: 'text/html' },
  errors: { 401: unauthorized },
});
