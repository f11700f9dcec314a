#!/usr/bin/env node
// Maintenance commands run where the database lives: `pytest-platform-admin backup <file>`.
// Build first: `npx tsc -b services/ingest` (the root `npm ci` runs it through `prepare`).
import { adminMain } from '../dist/admin/admin-cli.js';

process.exitCode = await adminMain(process.argv.slice(2));
