import { z } from 'zod';
import { BosunError, parseWith } from '../core/index.js';
import type { PmContext } from './context.js';
import { appendEvent } from './events.js';
import { insertNote, noteBodySchema, noteKinds, type Note } from './notes.js';
import { getProject } from './projects.js';
import { openRun, recordProgress } from './runs.js';
import { getTask } from './tasks.js';
import { pmTransaction } from './transaction.js';

export const noteInputSchema = z
  .object({
    project: z.string().min(1),
    task: z.string().min(1).optional(),
    kind: z.enum(noteKinds).default('note'),
    body: noteBodySchema,
  })
  .strict();
export type NoteInput = z.input<typeof noteInputSchema>;

/** Adds a note (decision, lesson, issue…) to a project or one of its tasks. */
export async function addNote(pm: PmContext, input: NoteInput): Promise<Note> {
  const n = parseWith(noteInputSchema, input, 'note');
  return pmTransaction(pm, async (tx) => {
    const project = await getProject(tx.client, n.project);
    const task = n.task ? await getTask(tx.client, n.task, { projectSlug: project.slug }) : null;
    if (task && task.projectId !== project.id)
      throw new BosunError('INVALID_INPUT', `task ${task.ref} is not part of ${project.slug}`);
    return insertNote(tx, { projectId: project.id, taskId: task?.id ?? null, kind: n.kind, body: n.body });
  });
}

export const progressSchema = z
  .object({
    percent: z.number().min(0).max(100).optional(),
    message: z.string().trim().min(1).max(2000),
  })
  .strict();

/**
 * Progress on a task being worked on: updates its run (which renews the heartbeat) and keeps
 * the message in the history as a progress note.
 */
export async function reportProgress(pm: PmContext, ref: string, input: z.input<typeof progressSchema>): Promise<Note> {
  const progress = parseWith(progressSchema, input, 'progress');
  return pmTransaction(pm, async (tx) => {
    const task = await getTask(tx.client, ref, { forUpdate: true });
    const run = await openRun(tx.client, task.id, { forUpdate: true });
    if (!run) {
      throw new BosunError(
        'CONFLICT',
        `task ${task.ref} is ${task.status}; progress is reported on a task being worked on`,
        {
          hint: task.status === 'ready' ? 'claim it first' : undefined,
        },
      );
    }
    await recordProgress(tx.client, run.id, progress);
    appendEvent(tx, {
      projectId: task.projectId,
      taskId: task.id,
      runId: run.id,
      kind: 'run.progress',
      data: progress,
    });
    const body = progress.percent !== undefined ? `${progress.percent}%: ${progress.message}` : progress.message;
    return insertNote(tx, { projectId: task.projectId, taskId: task.id, kind: 'progress', body });
  });
}
