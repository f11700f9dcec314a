import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

const scope = (project: string | undefined) => (project ? `project "${project}"` : 'every project (call get_summary without a project first)');

export function registerPrompts(server: McpServer): void {
  server.registerPrompt(
    'triage_latest_failures',
    {
      title: 'Triage the latest failures',
      description: 'Groups the failures of the latest run by likely cause and proposes the next step for each.',
      argsSchema: { project: z.string().optional().describe('Project name; all projects when absent') },
    },
    ({ project }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: [
              `Triage the latest test failures of ${scope(project)}.`,
              `1. Call get_failures${project ? ` with project "${project}"` : ''} to read the failed and error tests of the latest run with their tracebacks.`,
              `2. Call get_failure_stats${project ? ` with project "${project}"` : ''} (days 14) to see which of them fail often (flaky or long broken) and which are new.`,
              '3. Group the failures by likely root cause (same exception, same module, same fixture). For each group give: the tests, the evidence from the traceback, whether it is new, recurring or flaky, and the single next step (file and line to look at, or the command to re-run).',
              'Quote test ids exactly. Do not invent causes the tracebacks do not support.',
            ].join('\n'),
          },
        },
      ],
    }),
  );

  server.registerPrompt(
    'weekly_quality_summary',
    {
      title: 'Weekly quality summary',
      description: 'A short weekly summary of test health: pass-rate trend, most frequent failures, worker health.',
      argsSchema: {
        project: z.string().optional().describe('Project name; all projects when absent'),
        branch: z.string().optional().describe('Branch; all branches when absent'),
      },
    },
    ({ project, branch }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: [
              `Write a weekly quality summary for ${scope(project)}${branch ? ` on branch "${branch}"` : ''}.`,
              `- Call get_trend (limit 30) for the pass-rate direction${project ? '' : ' of each project'} and get_summary for the latest runs.`,
              '- Call get_failure_stats with days 7 for the tests that failed most this week.',
              '- Call get_workers for workers that are offline or whose 24 h pass rate is low.',
              'Then write at most 10 bullet points: overall direction with numbers, the top 3 failing tests with failure rates, worker problems, and one recommended action. Offer get_report for the full HTML report.',
            ].join('\n'),
          },
        },
      ],
    }),
  );
}
