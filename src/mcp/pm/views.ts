import { z } from 'zod';
import { taskJsonCore, type ProjectOverview, type Task, type TaskDetails, type TaskLine } from '../../pm/index.js';

/**
 * What the PM server shows of projects and tasks: JSON-safe views (dates as ISO strings, no
 * internal bookkeeping) with their zod schemas, which become the tools' output schemas.
 */

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export const taskLineSchema = z.object({
  ref: z.string(),
  title: z.string(),
  status: z.string(),
  skill: z.string().nullable(),
  priority: z.number(),
  claimedBy: z.string().nullable(),
  statusReason: z.string().nullable(),
});
export type TaskLineView = z.infer<typeof taskLineSchema>;

export function taskLineView(t: TaskLine | Task): TaskLineView {
  return {
    ref: t.ref,
    title: t.title,
    status: t.status,
    skill: t.skill,
    priority: t.priority,
    claimedBy: t.claimedBy,
    statusReason: t.statusReason,
  };
}

export const overviewSchema = z.object({
  project: z.object({
    slug: z.string(),
    name: z.string(),
    client: z.string().nullable(),
    status: z.string(),
    heldFrom: z.string().nullable(),
    template: z.string().nullable(),
    brief: z.string().nullable(),
    hasDocument: z.boolean(),
  }),
  progress: z.object({ total: z.number(), finished: z.number(), completed: z.number(), percent: z.number() }),
  tasksByState: z.record(z.number()),
  timeSpentHours: z.number(),
  budgetHours: z.number().nullable(),
  ready: z.array(taskLineSchema),
  active: z.array(taskLineSchema),
  problems: z.array(taskLineSchema),
  nextActions: z.array(z.string()),
  recentEvents: z.array(z.object({ at: z.string(), kind: z.string(), actor: z.string(), data: z.record(z.unknown()) })),
});

export function overviewView(o: ProjectOverview): z.infer<typeof overviewSchema> {
  const p = o.project;
  return {
    project: {
      slug: p.slug,
      name: p.name,
      client: p.client,
      status: p.status,
      heldFrom: p.heldFrom,
      template: p.templateId ? `${p.templateId}@${p.templateVersion}` : null,
      brief: p.brief,
      hasDocument: p.hasDocument,
    },
    progress: o.progress,
    tasksByState: o.tasksByState,
    timeSpentHours: Math.round((o.timeSpentMs / 3_600_000) * 100) / 100,
    budgetHours: o.budget.hours,
    ready: o.ready.map(taskLineView),
    active: o.active.map(taskLineView),
    problems: o.problems.map(taskLineView),
    nextActions: o.nextActions,
    recentEvents: o.recentEvents.map((e) => ({ at: e.at.toISOString(), kind: e.kind, actor: e.actor, data: e.data })),
  };
}

const neighbourSchema = z.object({ ref: z.string(), title: z.string(), status: z.string() });

/** An upstream artifact or a note: the context a task is worked in, paged by cursor. */
export const contextItemSchema = z.union([
  z.object({
    kind: z.literal('artifact'),
    task: z.string(),
    name: z.string(),
    mediaType: z.string(),
    uri: z.string().nullable(),
    inline: z.string().nullable(),
    bytes: z.number(),
    sha256: z.string(),
  }),
  z.object({
    kind: z.literal('note'),
    noteKind: z.string(),
    task: z.string().nullable(),
    body: z.string(),
    author: z.string(),
    at: z.string(),
  }),
]);
export type ContextItem = z.infer<typeof contextItemSchema>;

export const taskContextSchema = z.object({
  task: z.object({
    ref: z.string(),
    id: z.string(),
    project: z.string(),
    key: z.string().nullable(),
    title: z.string(),
    description: z.string().nullable(),
    skill: z.string().nullable(),
    status: z.string(),
    statusReason: z.string().nullable(),
    priority: z.number(),
    trigger: z.string(),
    acceptance: z.array(z.unknown()),
    attempts: z.number(),
    attemptsAllowed: z.number(),
    claimedBy: z.string().nullable(),
    route: z
      .object({
        agentId: z.string().nullable(),
        skillId: z.string().nullable(),
        automatic: z.boolean(),
        reasons: z.array(z.string()),
        runnersUp: z.array(z.unknown()),
      })
      .nullable(),
    resultSummary: z.string().nullable(),
  }),
  inputs: z.record(z.unknown()),
  missingInputs: z.array(z.string()),
  upstream: z.array(neighbourSchema),
  downstream: z.array(neighbourSchema),
  children: z.array(neighbourSchema),
  runs: z.array(
    z.object({
      attempt: z.number(),
      state: z.string(),
      claimedBy: z.string(),
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
      error: z.string().nullable(),
    }),
  ),
  context: z.array(contextItemSchema),
  nextCursor: z.string().nullable(),
});
export type TaskContextView = z.infer<typeof taskContextSchema>;

/** Runs shown with a task: the latest few (older ones are in the history). */
const RUNS_SHOWN = 3;

export function contextItems(d: TaskDetails): ContextItem[] {
  return [
    ...d.upstreamArtifacts.map((a): ContextItem => ({
      kind: 'artifact',
      task: a.taskRef,
      name: a.name,
      mediaType: a.mediaType,
      uri: a.uri,
      inline: a.inline,
      bytes: a.bytes,
      sha256: a.sha256,
    })),
    ...d.notes.map((n): ContextItem => ({
      kind: 'note',
      noteKind: n.kind,
      task: n.taskRef,
      body: n.body,
      author: n.author,
      at: n.createdAt.toISOString(),
    })),
  ];
}

export function taskContextView(
  d: TaskDetails,
  context: readonly ContextItem[],
  nextCursor: string | null,
): TaskContextView {
  const t = d.task;
  const route = t.route as {
    agentId: string | null;
    skillId: string | null;
    automatic: boolean;
    reasons: string[];
    runnersUp: unknown[];
  } | null;
  return {
    task: {
      ...taskJsonCore(t),
      trigger: t.triggerRule,
      acceptance: t.spec.acceptance ?? [],
      route: route
        ? {
            agentId: route.agentId,
            skillId: route.skillId,
            automatic: route.automatic,
            reasons: route.reasons,
            runnersUp: route.runnersUp,
          }
        : null,
      resultSummary: (t.result as { summary?: string } | null)?.summary ?? null,
    },
    inputs: d.inputs,
    missingInputs: d.missingInputs,
    upstream: d.upstream.map(({ ref, title, status }) => ({ ref, title, status })),
    downstream: d.downstream.map(({ ref, title, status }) => ({ ref, title, status })),
    children: d.children.map(({ ref, title, status }) => ({ ref, title, status })),
    runs: d.runs.slice(-RUNS_SHOWN).map((r) => ({
      attempt: r.attempt,
      state: r.state,
      claimedBy: r.claimedBy,
      startedAt: r.startedAt.toISOString(),
      finishedAt: iso(r.finishedAt),
      error: r.error?.message ?? null,
    })),
    context: [...context],
    nextCursor,
  };
}

/** The task as a short readable text: what to do, with what, and how to finish. */
export function taskContextText(v: TaskContextView): string {
  const t = v.task;
  const lines = [
    `## ${t.ref} — ${t.title}`,
    `status: ${t.status}${t.statusReason ? ` (${t.statusReason})` : ''}; skill: ${t.skill ?? 'any'}; attempt ${t.attempts} of ${t.attemptsAllowed}`,
  ];
  if (t.description) lines.push('', t.description);
  if (t.acceptance.length)
    lines.push('', 'Done when:', ...t.acceptance.map((a) => `- ${typeof a === 'string' ? a : JSON.stringify(a)}`));
  lines.push('', `inputs: ${JSON.stringify(v.inputs)}`);
  if (v.missingInputs.length) lines.push(`not available yet: ${v.missingInputs.join(', ')}`);
  if (v.upstream.length) lines.push(`depends on: ${v.upstream.map((u) => `${u.ref} (${u.status})`).join(', ')}`);
  if (v.context.length)
    lines.push(`context: ${v.context.length} item(s) (upstream artifacts, notes) in the structured result`);
  if (v.nextCursor) lines.push('more context: call task_details again with the cursor');
  if (t.status === 'working')
    lines.push('', `When finished, call complete_task with task "${t.ref}" and a result envelope.`);
  return lines.join('\n');
}
