import type { ErrorResponse } from './route.js';

const invalidQuery: ErrorResponse = {
  codes: ['invalid_query'], description: 'A query parameter is unknown or invalid; the message names it', component: 'InvalidQuery',
};
export const unauthorized: ErrorResponse = { codes: ['unauthorized'], description: 'Missing or wrong bearer token', component: 'Unauthorized' };
export const internal: ErrorResponse = { codes: ['internal'], description: 'Unexpected error', component: 'Internal' };

/** The errors every read route may answer with. */
export const readErrors = { 400: invalidQuery, 401: unauthorized, 500: internal } as const;

export const notFound = (description: string): ErrorResponse => ({ codes: ['not_found'], description });
