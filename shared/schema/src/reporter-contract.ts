import { z } from 'zod';
import contract from './contract.json' with { type: 'json' };

const CandidateSchema = z.union([
  z.string(),
  z.strictObject({
    template: z.string(),
    stripPrefix: z.array(z.string()).readonly().optional(),
    stripSuffix: z.string().optional(),
    repoPath: z.boolean().optional(),
  }),
]);
const candidates = z.array(CandidateSchema).readonly();

const CiProviderSchema = z.strictObject({
  name: z.string().min(1),
  /** Every variable must be set: `"*"` any non-blank value, otherwise equal ignoring case. */
  detect: z.record(z.string(), z.string()),
  project: candidates,
  branch: candidates,
  commit: candidates,
  workerId: candidates,
  ciUrl: candidates,
  buildId: candidates,
  shards: z.array(z.strictObject({ index: z.string(), total: z.string(), indexBase: z.union([z.literal(0), z.literal(1)]) })).readonly(),
});

/** A field's candidate: a `${VAR}` template, optionally post-processed. */
export type IdentityCandidate = z.infer<typeof CandidateSchema>;
/** One CI provider's rules, read by the Node reporters and the pytest plugin alike. */
export type CiProvider = z.infer<typeof CiProviderSchema>;
/** Where a CI provider says which shard of a parallel job this is. */
export type ShardSource = CiProvider['shards'][number];

/** The CI providers the reporters recognise, in the order they are tried. */
export const ciProviders: readonly CiProvider[] = z.array(CiProviderSchema).parse(contract.ciProviders);

/** The words a reporter's boolean variable accepts (compared ignoring case and surrounding blanks). */
export const booleanWords: Readonly<{ true: readonly string[]; false: readonly string[] }> = contract.booleans;

/** The variables every reporter reads, by purpose; a list is in order of precedence. */
export const reporterVariables = contract.variables;

/**
 * Where the platform publishes what reporters read at session start (`{stream}`, `{project}` filled in by {@link redisKeyFor}),
 * and `durationsSnapshot`, the copy of the durations the shards of one build (`{build}`) split by.
 */
export const redisKeys: Readonly<{ quarantine: string; durations: string; durationsSnapshot: string }> = {
  quarantine: contract.redisKeys.quarantine, durations: contract.redisKeys.durations, durationsSnapshot: contract.redisKeys.durationsSnapshot,
};

/** The Redis key of `kind` for `project` on the results stream `stream` (and, for `durationsSnapshot`, the build `build`). */
export function redisKeyFor(kind: 'quarantine' | 'durations' | 'durationsSnapshot', stream: string, project: string, build = ''): string {
  const values: Record<string, string> = { stream, project, build };
  // One pass with a function: a project named `a$&b` or `{build}` is put in as it is.
  return redisKeys[kind].replace(/\{(stream|project|build)\}/g, (_whole, name: string) => values[name] ?? '');
}
