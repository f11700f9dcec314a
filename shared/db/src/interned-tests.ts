/**
 * Node ids a run writer remembers (project, node id → `tests.id`) before it forgets them all and
 * learns them again from the writes that follow: ~25 MB of ids and keys at most, so a stream of
 * ever-new node ids (a parameter holding a timestamp) cannot grow a writer's memory. A suite that
 * keeps more distinct tests than this in rotation pays one `tests` upsert per forgotten id.
 */
export const MAX_INTERNED_TESTS = 200_000;
