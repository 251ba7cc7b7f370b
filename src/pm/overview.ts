import type { Queryable } from './context.js';
import { listEvents, type PmEvent } from './events.js';
import { getProject, type Project } from './projects.js';
import { timeSpentOnProject } from './runs.js';
import type { TaskState } from './states.js';
import { countTasksByStatus, taskLines, type TaskLine } from './tasks.js';

/** `project show`: where a project stands and what to do next, from a handful of small queries. */

export interface ProjectOverview {
  project: Omit<Project, 'document'> & { hasDocument: boolean };
  progress: { total: number; finished: number; completed: number; percent: number };
  tasksByState: Partial<Record<TaskState, number>>;
  timeSpentMs: number;
  budget: { hours: number | null; usedPercent: number | null };
  ready: TaskLine[];
  active: TaskLine[];
  problems: TaskLine[];
  nextActions: string[];
  recentEvents: PmEvent[];
}

const LINE_LIMIT = 5;

function nextActions(o: Omit<ProjectOverview, 'nextActions'>): string[] {
  const slug = o.project.slug;
  const n = o.tasksByState;
  const actions: string[] = [];
  switch (o.project.status) {
    case 'planning':
      if (!o.progress.total) actions.push(`add tasks: bosun task add ${slug} "<title>"`);
      else if (n.ready) actions.push(`start execution: bosun project advance ${slug}`);
      else actions.push('no task is ready: check the dependencies with bosun task list');
      break;
    case 'execution':
      for (const t of o.ready.slice(0, 3))
        actions.push(`claim ${t.ref} "${t.title}": bosun task claim --project ${slug}`);
      for (const t of o.problems)
        actions.push(`${t.status} ${t.ref} "${t.title}": bosun task retry ${t.ref} (or cancel it)`);
      if (n.submitted)
        actions.push(`${n.submitted} task(s) queued for their agents: keep a worker running (bosun worker)`);
      if (n['input-required'])
        actions.push(
          `${n['input-required']} task(s) need input: see bosun task list --project ${slug} --status input-required`,
        );
      if (o.progress.finished === o.progress.total && o.progress.total)
        actions.push(`all tasks finished: bosun project advance ${slug}`);
      break;
    case 'documentation':
      actions.push(
        `review the project document: bosun project doc ${slug}`,
        `archive it: bosun project archive ${slug}`,
      );
      break;
    case 'archiving':
      actions.push(`finish archiving: bosun project archive ${slug}`);
      break;
    case 'on_hold':
      actions.push(`resume it: bosun project resume ${slug}`);
      break;
    case 'cancelled':
      actions.push(`archive it: bosun project archive ${slug}`);
      break;
    case 'archived':
      actions.push(`bring it back: bosun project reopen ${slug}`);
      break;
  }
  return actions;
}

export async function projectOverview(q: Queryable, slug: string): Promise<ProjectOverview> {
  const { document, ...project } = await getProject(q, slug);
  const tasksByState = await countTasksByStatus(q, project.id);
  const count = (states: TaskState[]) => states.reduce((sum, s) => sum + (tasksByState[s] ?? 0), 0);
  const total = count(Object.keys(tasksByState) as TaskState[]);
  const finished = count(['completed', 'failed', 'canceled', 'rejected']);
  const completed = tasksByState.completed ?? 0;
  const timeSpentMs = await timeSpentOnProject(q, project.id);
  const base = {
    project: { ...project, hasDocument: document !== null },
    progress: { total, finished, completed, percent: total ? Math.round((finished / total) * 100) : 0 },
    tasksByState,
    timeSpentMs,
    budget: {
      hours: project.budgetHours,
      usedPercent: project.budgetHours ? Math.round((timeSpentMs / 3_600_000 / project.budgetHours) * 100) : null,
    },
    ready: await taskLines(q, project.id, 'ready', LINE_LIMIT),
    active: await taskLines(q, project.id, 'active', LINE_LIMIT),
    problems: await taskLines(q, project.id, 'problems', LINE_LIMIT),
    recentEvents: await listEvents(q, { projectId: project.id, limit: LINE_LIMIT }),
  };
  return { ...base, nextActions: nextActions(base) };
}
