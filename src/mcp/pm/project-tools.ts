import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import {
  advanceProject,
  getProject,
  listProjects,
  planProjectWithModel,
  projectOverview,
  projectPhases,
} from '../../pm/index.js';
import { cursorOffset, fitAnswer, fitList } from '../budget.js';
import type { PmServerDeps } from './deps.js';
import { defineTool, type ToolContext } from '../tool.js';
import { pmNextSteps } from './next-steps.js';
import { overviewSchema, overviewView } from './views.js';

/** How many rows a list tool reads per call before fitting them to the budget. */
const PAGE = 100;

export function registerProjectTools(server: McpServer, deps: PmServerDeps): void {
  const { pm, tokenBudget: budget } = deps;
  const tools: ToolContext = { logger: pm.logger, nextSteps: pmNextSteps };

  defineTool(
    server,
    {
      name: 'list_projects',
      title: 'List projects',
      description:
        'Projects with their phase and progress, most recently changed first. Paginated: pass nextCursor back as cursor for more.',
      input: {
        status: z.enum(projectPhases).optional().describe('only projects in this phase'),
        cursor: z.string().optional().describe('nextCursor of the previous call'),
      },
      output: {
        projects: z.array(
          z.object({
            slug: z.string(),
            name: z.string(),
            client: z.string().nullable(),
            status: z.string(),
            tasks: z.number(),
            completed: z.number(),
            updatedAt: z.string(),
          }),
        ),
        nextCursor: z.string().nullable(),
      },
      annotations: { readOnlyHint: true },
      run: async ({ status, cursor }) => {
        const query = `projects:${status ?? ''}`;
        const offset = cursorOffset(cursor, query);
        const rows = await listProjects(pm.pool, { status, limit: PAGE + 1, offset });
        const views = rows.slice(0, PAGE).map((r) => ({ ...r, updatedAt: r.updatedAt.toISOString() }));
        return fitList(views, { offset, query, budget, more: rows.length > PAGE }, (shown, nextCursor) => ({
          structured: { projects: [...shown], nextCursor },
          text: [
            shown.length ? `${shown.length} project(s):` : 'No projects.',
            ...shown.map((p) => `- ${p.slug} (${p.status}) ${p.name}: ${p.completed}/${p.tasks} tasks completed`),
            ...(nextCursor ? ['More: call list_projects again with the cursor.'] : []),
          ].join('\n'),
        }));
      },
    },
    tools,
  );

  defineTool(
    server,
    {
      name: 'project_overview',
      title: 'Project overview',
      description:
        'Where a project stands: phase, progress, tasks by state, time spent, the ready/in-progress/failed tasks, and the next actions.',
      input: { project: z.string().min(1).describe('project slug') },
      output: overviewSchema.shape,
      annotations: { readOnlyHint: true },
      run: async ({ project }) => {
        const view = overviewView(await projectOverview(pm.pool, project));
        const p = view.project;
        return fitAnswer(
          {
            structured: view,
            text: [
              `# ${p.name} (${p.slug}) — ${p.status}`,
              `${view.progress.finished}/${view.progress.total} tasks finished (${view.progress.percent} %), ${view.timeSpentHours} h spent`,
              ...(view.ready.length ? ['ready:', ...view.ready.map((t) => `- ${t.ref} ${t.title}`)] : []),
              ...(view.problems.length
                ? ['failed:', ...view.problems.map((t) => `- ${t.ref} ${t.title}: ${t.statusReason ?? ''}`)]
                : []),
              'next:',
              ...view.nextActions.map((a) => `- ${a}`),
            ].join('\n'),
          },
          budget,
        );
      },
    },
    tools,
  );

  defineTool(
    server,
    {
      name: 'advance_phase',
      title: 'Advance the project phase',
      description:
        'Moves a project to its next phase (planning → execution → documentation), or to `to`. Guards: execution needs a ready task; documentation needs every task finished (the project document is then written). Archiving is done by a person (`bosun project archive`).',
      input: {
        project: z.string().min(1).describe('project slug'),
        to: z
          .enum(['planning', 'execution', 'documentation'])
          .optional()
          .describe('target phase; default the next one'),
      },
      output: { project: z.string(), status: z.string(), documentWritten: z.boolean() },
      run: async ({ project, to }) => {
        const moved = await advanceProject(pm, project, to);
        const documentWritten = moved.status === 'documentation';
        return {
          structured: { project: moved.slug, status: moved.status, documentWritten },
          text: `${moved.slug} is now in ${moved.status}.${documentWritten ? ' The project document was written (`bosun project doc`).' : ''}`,
        };
      },
    },
    tools,
  );

  defineTool(
    server,
    {
      name: 'plan_project',
      title: 'Plan a project from its brief',
      description:
        "Asks Bosun's configured language model for the project's tasks from a brief (or the project's own). The plan is checked (known skills, dependencies, required inputs) and sent back once with the reasons when it fails; only a valid plan is added. Without a model it says so: then plan with create_tasks, or a template.",
      input: {
        project: z.string().min(1).describe('project slug'),
        brief: z.string().min(1).max(50_000).optional().describe("the brief (markdown); default the project's brief"),
      },
      output: {
        model: z.string(),
        tasks: z.array(
          z.object({ ref: z.string(), title: z.string(), skill: z.string().nullable(), status: z.string() }),
        ),
        refusedAnswers: z.number(),
      },
      run: async ({ project, brief }) => {
        const text = brief ?? (await getProject(pm.pool, project)).brief ?? '';
        const plan = await planProjectWithModel(pm, {
          slug: project,
          brief: text,
          skills: await deps.planner.skills(),
          chat: deps.planner.chat,
        });
        const tasks = plan.tasks.map((t) => ({ ref: t.ref, title: t.title, skill: t.skill, status: t.status }));
        return {
          structured: { model: plan.model, tasks, refusedAnswers: plan.attempts.length - 1 },
          text: [
            `${plan.model} planned ${tasks.length} task(s):`,
            ...tasks.map((t) => `- ${t.ref} ${t.title} (${t.skill ?? 'no skill'}, ${t.status})`),
          ].join('\n'),
        };
      },
    },
    tools,
  );
}
