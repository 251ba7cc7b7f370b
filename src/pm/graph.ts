import { prepared } from '../db/index.js';
import type { Queryable } from './context.js';
import { getProject } from './projects.js';
import type { TaskState } from './states.js';

/** A project's tasks and their dependencies, as the dashboard draws them. */
export interface ProjectGraph {
  nodes: { id: string; ref: string; title: string; status: TaskState; skill: string | null; agentId: string | null }[];
  /** `from` must finish before `to` (an edge of bosun.task_edge). */
  edges: { from: string; to: string }[];
}

export async function projectGraph(q: Queryable, slug: string): Promise<ProjectGraph> {
  const project = await getProject(q, slug);
  const nodes = await q.query<ProjectGraph['nodes'][number]>(
    prepared(
      `SELECT t.id, $2 || '#' || t.number AS ref, t.title, t.status, t.skill, t.agent_id AS "agentId"
         FROM bosun.task t WHERE t.project_id = $1 ORDER BY t.number`,
      [project.id, project.slug],
    ),
  );
  const edges = await q.query<ProjectGraph['edges'][number]>(
    prepared(`SELECT depends_on_id AS "from", task_id AS "to" FROM bosun.task_edge WHERE project_id = $1`, [
      project.id,
    ]),
  );
  return { nodes: nodes.rows, edges: edges.rows };
}
