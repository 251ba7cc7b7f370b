import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { resultEnvelopeSchema } from '../../agents/index.js';
import { BosunError } from '../../core/index.js';
import {
  addNote,
  claimNextTask,
  completeTask,
  downstreamOf,
  getProject,
  listTasks,
  noteKinds,
  planSchema,
  planTasks,
  reportProgress,
  taskDetails,
  taskStates,
} from '../../pm/index.js';
import { cursorOffset, fitList, type Answer } from '../budget.js';
import type { PmServerDeps } from './deps.js';
import { defineTool, type ToolContext } from '../tool.js';
import { pmNextSteps } from './next-steps.js';
import {
  contextItems,
  taskContextSchema,
  taskContextText,
  taskContextView,
  taskLineSchema,
  taskLineView,
  type TaskContextView,
} from './views.js';

const PAGE = 200;

/** A task with its context, the context list cut to the budget and continued by cursor. */
async function taskContextAnswer(
  deps: PmServerDeps,
  ref: string,
  cursor: string | undefined,
): Promise<Answer<TaskContextView>> {
  const details = await taskDetails(deps.pm.pool, ref);
  const query = `task:${details.task.id}`;
  const offset = cursorOffset(cursor, query);
  const items = contextItems(details).slice(offset);
  return fitList(items, { offset, query, budget: deps.tokenBudget }, (shown, nextCursor) => {
    const view = taskContextView(details, shown, nextCursor);
    return { structured: view, text: taskContextText(view) };
  });
}

export function registerTaskTools(server: McpServer, deps: PmServerDeps): void {
  const { pm, tokenBudget: budget } = deps;
  const tools: ToolContext = { logger: pm.logger, nextSteps: pmNextSteps };

  defineTool(
    server,
    {
      name: 'list_tasks',
      title: 'List tasks',
      description:
        'Tasks of a project in number order, optionally of one state. Paginated: pass nextCursor back as cursor for more.',
      input: {
        project: z.string().min(1).describe('project slug'),
        status: z.enum(taskStates).optional(),
        cursor: z.string().optional(),
      },
      output: { tasks: z.array(taskLineSchema), nextCursor: z.string().nullable() },
      annotations: { readOnlyHint: true },
      run: async ({ project, status, cursor }) => {
        const query = `tasks:${project}:${status ?? ''}`;
        const offset = cursorOffset(cursor, query);
        const projectId = (await getProject(pm.pool, project)).id;
        const rows = await listTasks(pm.pool, { projectId, status, limit: PAGE + 1, offset });
        const views = rows.slice(0, PAGE).map(taskLineView);
        return fitList(views, { offset, query, budget, more: rows.length > PAGE }, (shown, nextCursor) => ({
          structured: { tasks: [...shown], nextCursor },
          text: [
            shown.length ? `${shown.length} task(s):` : 'No tasks.',
            ...shown.map((t) => `- ${t.ref} [${t.status}] ${t.title}${t.skill ? ` (${t.skill})` : ''}`),
            ...(nextCursor ? ['More: call list_tasks again with the cursor.'] : []),
          ].join('\n'),
        }));
      },
    },
    tools,
  );

  defineTool(
    server,
    {
      name: 'next_task',
      title: 'Claim the next task',
      description:
        'Claims the most urgent ready task (of one project, or of any project in execution) for you, and returns it with its context. Work on it, then call complete_task. Returns claimed=false when nothing is ready.',
      input: {
        project: z.string().min(1).optional().describe('only from this project'),
        claimant: z.string().min(1).max(100).optional().describe('who works on it (default: this MCP client)'),
      },
      output: { claimed: z.boolean(), task: taskContextSchema.nullable(), message: z.string() },
      run: async ({ project, claimant }) => {
        const claimed = await claimNextTask(pm, {
          claimant: claimant ?? pm.actor,
          ...(project ? { projectSlug: project } : {}),
        });
        if (!claimed) {
          const message = `No ready task${project ? ` in ${project}` : ''}. Check project_overview for what is blocked or failed.`;
          return { structured: { claimed: false, task: null, message }, text: message };
        }
        const answer = await taskContextAnswer({ ...deps, tokenBudget: budget - 100 }, claimed.task.id, undefined);
        const message = `Claimed ${claimed.task.ref} (attempt ${claimed.run.attempt}).`;
        return { structured: { claimed: true, task: answer.structured, message }, text: `${message}\n${answer.text}` };
      },
    },
    tools,
  );

  defineTool(
    server,
    {
      name: 'task_details',
      title: 'Task details with context',
      description:
        'A task with its spec and acceptance criteria, inputs (filled from upstream results), dependencies, runs, routing decision, and its context: upstream artifacts and relevant notes (paginated by cursor).',
      input: {
        task: z.string().min(1).describe('task reference: <project>#<n> or the task id'),
        cursor: z.string().optional().describe('nextCursor of the previous call, for more context'),
      },
      output: taskContextSchema.shape,
      annotations: { readOnlyHint: true },
      run: ({ task, cursor }) => taskContextAnswer(deps, task, cursor),
    },
    tools,
  );

  defineTool(
    server,
    {
      name: 'complete_task',
      title: 'Complete a task with its result',
      description:
        'Finishes a task you claimed with a result envelope: status (completed, failed, rejected, canceled or input-required), summary, outputs, artifacts (name, mediaType, path or inline, sha256, bytes), metrics, handoffs (follow-up work: skill, input, reason) and, unless completed, error {code, message, retryable}. Completing again with the same result is harmless.',
      input: {
        task: z.string().min(1).describe('task reference: <project>#<n> or the task id'),
        result: resultEnvelopeSchema,
      },
      output: {
        task: z.string(),
        status: z.string(),
        alreadyCompleted: z.boolean(),
        released: z.array(z.object({ ref: z.string(), title: z.string(), status: z.string() })),
        message: z.string(),
      },
      run: async ({ task, result }) => {
        const { task: done, alreadyCompleted } = await completeTask(pm, task, result, {
          artifactsDir: deps.artifactsDir,
        });
        const released = [
          ...(await downstreamOf(pm.pool, done.id)).filter((d) => d.status === 'ready'),
          ...(await listTasks(pm.pool, { parentId: done.id, limit: 50, offset: 0 })).map((c) => ({
            ref: c.ref,
            title: c.title,
            status: c.status,
          })),
        ].map(({ ref, title, status }) => ({ ref, title, status }));
        const message = alreadyCompleted
          ? `${done.ref} was already completed with this result.`
          : `${done.ref} is ${done.status}${done.statusReason ? ` (${done.statusReason})` : ''}.${released.length ? ` Now ready or created: ${released.map((r) => r.ref).join(', ')}.` : ''} Call next_task for more work.`;
        return {
          structured: { task: done.ref, status: done.status, alreadyCompleted, released, message },
          text: message,
        };
      },
    },
    tools,
  );

  defineTool(
    server,
    {
      name: 'report_progress',
      title: 'Report progress or add a note',
      description:
        "Records progress on a task you are working on (kind 'progress', renews your claim), or a note on the project or a task: a decision, a lesson, an issue, or a plain note. Decisions, lessons and issues go into the project document.",
      input: {
        project: z.string().min(1).describe('project slug'),
        task: z.string().min(1).optional().describe('the task it is about'),
        kind: z.enum(noteKinds).optional().describe("default 'progress' with a task, else 'note'"),
        message: z.string().trim().min(1).max(20_000),
        percent: z.number().min(0).max(100).optional().describe('progress, 0-100'),
      },
      output: {
        noted: z.object({ kind: z.string(), task: z.string().nullable(), at: z.string() }),
        message: z.string(),
      },
      run: async ({ project, task, kind, message, percent }) => {
        const noteKind = kind ?? (task ? 'progress' : 'note');
        if (noteKind === 'progress' && !task)
          throw new BosunError('INVALID_INPUT', 'progress is reported on a task', {
            hint: 'pass task, or a kind such as note or decision',
          });
        const note =
          noteKind === 'progress'
            ? await reportProgress(pm, task!, { message, ...(percent !== undefined ? { percent } : {}) })
            : await addNote(pm, { project, kind: noteKind, body: message, ...(task ? { task } : {}) });
        const text = `Noted (${note.kind}) on ${note.taskRef ?? project}.`;
        return {
          structured: {
            noted: { kind: note.kind, task: note.taskRef, at: note.createdAt.toISOString() },
            message: text,
          },
          text,
        };
      },
    },
    tools,
  );

  defineTool(
    server,
    {
      name: 'create_tasks',
      title: 'Create tasks (a plan)',
      description:
        "Adds a plan to a project: tasks with a title, optional key, skill (dotted id such as python.run), inputs, dependsOn (keys in this plan or existing tasks like '#3'), trigger rule and acceptance criteria. The plan must be a DAG with known skills; it is added whole or not at all.",
      input: {
        project: z.string().min(1).describe('project slug'),
        tasks: planSchema,
      },
      output: {
        created: z.array(
          z.object({
            ref: z.string(),
            key: z.string().nullable(),
            title: z.string(),
            status: z.string(),
            skill: z.string().nullable(),
          }),
        ),
        omitted: z.number().describe('created tasks left out of this answer to fit the budget (see list_tasks)'),
        message: z.string(),
      },
      run: async ({ project, tasks }) => {
        const created = await planTasks(pm, project, tasks);
        const rows = created.map((t) => ({
          ref: t.ref,
          key: t.stepKey,
          title: t.title,
          status: t.status,
          skill: t.skill,
        }));
        const ready = rows.filter((r) => r.status === 'ready').length;
        const message = `Added ${rows.length} task(s) to ${project}; ${ready} ready now.`;
        // The tasks exist whatever is shown: a long plan is summarised, not paged.
        return fitList(rows, { offset: 0, query: 'created', budget }, (shown) => ({
          structured: { created: [...shown], omitted: rows.length - shown.length, message },
          text: [
            message,
            ...shown.map((r) => `- ${r.ref} [${r.status}] ${r.title}`),
            ...(shown.length < rows.length ? [`…and ${rows.length - shown.length} more: list_tasks`] : []),
          ].join('\n'),
        }));
      },
    },
    tools,
  );
}
