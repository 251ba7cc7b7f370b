import { listArtifacts } from './artifacts.js';
import type { Queryable } from './context.js';
import { projectHistory } from './events.js';
import { formatBytes } from '../core/index.js';
import { formatDuration, markdownTable } from './format.js';
import { listNotes, type Note } from './notes.js';
import type { Project } from './projects.js';
import { timeByTask } from './runs.js';
import { listTasks, type Task } from './tasks.js';

/**
 * The project document, written from the history when a project enters documentation (or is
 * cancelled): goal, what was done, decisions, artifacts, time spent per task, open issues,
 * and the timeline of phases. Markdown, so it reads well in a terminal, an editor or a repo.
 */

const MAX_TASKS = 10_000;

function summaryOf(task: Task): string {
  const summary = (task.result as { summary?: unknown } | null)?.summary;
  return typeof summary === 'string' && summary.trim() ? summary.trim().split('\n')[0]! : '';
}

function day(d: Date | null): string {
  return d ? d.toISOString().slice(0, 10) : '—';
}

function noteLines(notes: Note[]): string {
  return notes
    .slice()
    .reverse()
    .map(
      (n) => `- ${n.body.replace(/\n+/g, ' ')}${n.taskRef ? ` (${n.taskRef})` : ''} — ${n.author}, ${day(n.createdAt)}`,
    )
    .join('\n');
}

export async function renderProjectDocument(q: Queryable, project: Project): Promise<string> {
  const tasks = await listTasks(q, { projectId: project.id, limit: MAX_TASKS, offset: 0 });
  const times = await timeByTask(q, project.id);
  const artifacts = await listArtifacts(q, { projectId: project.id });
  const notes = await listNotes(q, { projectId: project.id, limit: 1000 });
  const history = await projectHistory(q, project.id);
  const out: string[] = [];

  out.push(`# ${project.name}`, '');
  out.push(
    [
      `- **Project:** ${project.slug}${project.client ? ` for ${project.client}` : ''}`,
      `- **Status:** ${project.status}`,
      `- **Template:** ${project.templateId ? `${project.templateId} v${project.templateVersion}` : 'none (planned by hand)'}`,
      `- **Dates:** created ${day(project.createdAt)}, started ${day(project.startedAt)}, finished ${day(project.finishedAt ?? new Date())}`,
    ].join('\n'),
    '',
  );

  out.push('## Goal', '', project.brief?.trim() || '_No brief was recorded._', '');
  const params = Object.entries(project.params);
  if (params.length)
    out.push(
      markdownTable(
        ['param', 'value'],
        params.map(([k, v]) => [k, JSON.stringify(v)]),
      ),
      '',
    );

  const done = tasks.filter((t) => t.status === 'completed');
  out.push('## What was done', '');
  out.push(
    done.length
      ? done
          .map(
            (t) =>
              `- **${t.ref} ${t.title}**${t.skill ? ` (${t.skill}${t.agentId ? `, ${t.agentId}` : ''})` : ''}${summaryOf(t) ? ` — ${summaryOf(t)}` : ''}`,
          )
          .join('\n')
      : '_No task was completed._',
    '',
  );

  const decisions = notes.filter((n) => n.kind === 'decision');
  const lessons = notes.filter((n) => n.kind === 'lesson');
  out.push('## Decisions', '', decisions.length ? noteLines(decisions) : '_No decisions were recorded._', '');
  if (lessons.length) out.push('## Lessons', '', noteLines(lessons), '');

  out.push('## Artifacts', '');
  out.push(
    artifacts.length
      ? markdownTable(
          ['task', 'name', 'type', 'size', 'sha256', 'location'],
          artifacts.map((a) => [
            a.taskRef,
            a.name,
            a.mediaType,
            formatBytes(a.bytes),
            a.sha256.slice(0, 12),
            a.uri ?? '(inline)',
          ]),
        )
      : '_No artifacts._',
    '',
  );

  let totalMs = 0;
  const timeRows = tasks.map((t) => {
    const spent = times.get(t.id);
    totalMs += spent?.ms ?? 0;
    return [
      t.ref,
      t.title,
      t.status,
      spent?.runs ?? 0,
      spent ? formatDuration(spent.ms) : '—',
      t.estimateMinutes ? `${t.estimateMinutes} min` : '—',
    ];
  });
  out.push('## Time spent', '');
  out.push(
    tasks.length ? markdownTable(['task', 'title', 'status', 'attempts', 'time', 'estimate'], timeRows) : '_No tasks._',
    '',
  );
  const hours = totalMs / 3_600_000;
  out.push(
    `Total: ${formatDuration(totalMs)}${project.budgetHours !== null ? ` of a ${project.budgetHours} h budget (${((hours / project.budgetHours) * 100 || 0).toFixed(0)} %)` : ''}` +
      (project.hourlyRate !== null ? `; ${(hours * project.hourlyRate).toFixed(2)} at ${project.hourlyRate}/h.` : '.'),
    '',
  );

  const unfinished = tasks.filter((t) => t.status !== 'completed');
  const issues = notes.filter((n) => n.kind === 'issue');
  out.push('## Open issues', '');
  const issueLines = [
    ...unfinished.map((t) => `- ${t.ref} ${t.title}: ${t.status}${t.statusReason ? ` — ${t.statusReason}` : ''}`),
    ...(issues.length ? [noteLines(issues)] : []),
  ];
  out.push(issueLines.length ? issueLines.join('\n') : '_None._', '');

  // The move being made (into documentation, or cancelled) is not in the history yet.
  const phases = history.filter((e) => e.kind === 'project.phase');
  const lastPhase = String(phases.at(-1)?.data.to ?? 'planning');
  out.push('## Timeline', '');
  out.push(
    [
      `- ${day(project.createdAt)} created`,
      ...phases.map(
        (e) =>
          `- ${day(e.at)} ${String(e.data.from)} → ${String(e.data.to)}${e.data.reason ? ` (${String(e.data.reason)})` : ''}`,
      ),
      ...(lastPhase !== project.status ? [`- ${day(new Date())} ${lastPhase} → ${project.status}`] : []),
    ].join('\n'),
    '',
  );
  return out.join('\n');
}
