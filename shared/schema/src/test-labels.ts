/**
 * The labels the test-intelligence routes answer with. The rules that assign them (`classifyFailure`,
 * `assessFlakiness`) live with the analytics in `@pytest-platform/db`.
 */
export const failureClassifications = ['new', 'recurring', 'flaky'] as const;
export type FailureClassification = (typeof failureClassifications)[number];

export const flakyKinds = ['retry', 'same_commit', 'flip'] as const;
/** `retry`: passed after retries; `same_commit`: passed and failed on one commit; `flip`: went back and forth between runs. */
export type FlakyKind = (typeof flakyKinds)[number];
