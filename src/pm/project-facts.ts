import type { ProjectFacts, ProjectReader } from '../agents/index.js';
import { listArtifacts } from './artifacts.js';
import type { Queryable } from './context.js';
import { renderProjectDocument } from './document.js';
import { listNotes } from './notes.js';
import { getProject } from './projects.js';
import { listTasks } from './tasks.js';

/**
 * The PM's side of the agents' ProjectReader: a project's tasks with their results, its
 * artifacts, notes and project document, for skills that write about it (docs.write). The
 * agents layer cannot import pm/, so the task runner and the CLI hand this in.
 */

const MAX_TASKS = 10_000;
const MAX_NOTES = 1_000;

export function projectReader(q: Queryable): ProjectReader {
  return { read: (slug) => projectFacts(q, slug) };
}

export async function projectFacts(q: Queryable, slug: string): Promise<ProjectFacts> {
  const project = await getProject(q, slug);
  const tasks = await listTasks(q, { projectId: project.id, limit: MAX_TASKS, offset: 0 });
  const artifacts = await listArtifacts(q, { projectId: project.id });
  const notes = await listNotes(q, { projectId: project.id, limit: MAX_NOTES });
  return {
    slug: project.slug,
    name: project.name,
    client: project.client,
    brief: project.brief,
    status: project.status,
    tasks: tasks.map((t) => {
      const result = t.result as { summary?: unknown; outputs?: unknown } | null;
      return {
        ref: t.ref,
        title: t.title,
        description: t.description,
        status: t.status,
        skill: t.skill,
        agentId: t.agentId,
        inputs: t.inputs,
        summary: typeof result?.summary === 'string' ? result.summary : null,
        outputs:
          result?.outputs && typeof result.outputs === 'object' ? (result.outputs as Record<string, unknown>) : null,
      };
    }),
    artifacts: artifacts.map((a) => ({
      taskRef: a.taskRef,
      name: a.name,
      mediaType: a.mediaType,
      uri: a.uri,
      bytes: a.bytes,
    })),
    // Oldest first: a document reads in the order things were decided.
    notes: notes
      .slice()
      .reverse()
      .map((n) => ({
        taskRef: n.taskRef,
        kind: n.kind,
        body: n.body,
        author: n.author,
        createdAt: n.createdAt.toISOString(),
      })),
    document: await renderProjectDocument(q, project),
  };
}
