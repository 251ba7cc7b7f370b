import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError, newId, sha256, type BosunPaths } from '../core/index.js';
import { withTransaction, type PoolClient } from '../db/index.js';
import { ensureLakeTables, type Lake } from '../lake/index.js';
import type { PmContext } from './context.js';
import { appendEvent, phaseBefore } from './events.js';
import { changePhase, checkCanArchive } from './lifecycle.js';
import { getProject, type ArchiveLocation, type Project } from './projects.js';
import { pmTransaction } from './transaction.js';

/**
 * Archiving: the whole project (every row of every PM table, as PostgreSQL's own JSON of the
 * row) goes to the lake's `archive` schema in one snapshot and to a portable JSON bundle under
 * `$BOSUN_HOME/archives/`. Both are read back and compared before the working rows are
 * deleted; only the project row stays, as the stub that remembers where the archive is.
 * Reopening restores the rows from the lake snapshot.
 */

/** The PM tables, in the order rows can be inserted (parents before children). */
const archivedTables = [
  { table: 'project', where: 'id = $1', order: 'id' },
  { table: 'task', where: 'project_id = $1', order: 'number' },
  { table: 'task_edge', where: 'project_id = $1', order: 'task_id, depends_on_id' },
  { table: 'run', where: 'project_id = $1', order: 'task_id, attempt' },
  { table: 'artifact', where: 'project_id = $1', order: 'id' },
  { table: 'handoff', where: 'project_id = $1', order: 'id' },
  { table: 'note', where: 'project_id = $1', order: 'id' },
  { table: 'event', where: 'project_id = $1', order: 'id' },
] as const;
type ArchivedTable = (typeof archivedTables)[number]['table'];
type ProjectRows = Record<ArchivedTable, string[]>;

const ARCHIVE_SCHEMA = 'archive';
const lakeColumns = [
  { name: 'archive_id', type: 'VARCHAR' },
  { name: 'project_slug', type: 'VARCHAR' },
  { name: 'archived_at', type: 'TIMESTAMP WITH TIME ZONE' },
  { name: 'row', type: 'VARCHAR' },
];

export interface ArchiveDeps {
  lake: Lake;
  paths: BosunPaths;
}

/** Every row of the project, from one snapshot of the database. */
async function readRows(client: PoolClient, projectId: string): Promise<ProjectRows> {
  await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  const rows = {} as ProjectRows;
  for (const { table, where, order } of archivedTables) {
    const res = await client.query<{ row: string }>(
      `SELECT row_to_json(t)::text AS row FROM bosun.${table} t WHERE ${where} ORDER BY ${order}`,
      [projectId],
    );
    rows[table] = res.rows.map((r) => r.row);
  }
  return rows;
}

const countsOf = (rows: ProjectRows) =>
  Object.fromEntries(archivedTables.map(({ table }) => [table, rows[table].length]));

async function readBackFromLake(lake: Lake, snapshotId: number, archiveId: string): Promise<ProjectRows> {
  return lake.withReader({ snapshot: snapshotId }, async (conn) => {
    const rows = {} as ProjectRows;
    for (const { table } of archivedTables) {
      const reader = await conn.runAndReadAll(`SELECT "row" FROM ${ARCHIVE_SCHEMA}.${table} WHERE archive_id = $1`, [
        archiveId,
      ]);
      rows[table] = reader.getRowObjectsJson().map((r) => String(r.row));
    }
    return rows;
  });
}

/** The same rows, whatever their order. */
function sameRows(a: ProjectRows, b: ProjectRows): ArchivedTable | null {
  for (const { table } of archivedTables) {
    const x = [...a[table]].sort();
    const y = [...b[table]].sort();
    if (x.length !== y.length || x.some((v, i) => v !== y[i])) return table;
  }
  return null;
}

interface Bundle {
  format: 'bosun-project-archive';
  version: 1;
  archiveId: string;
  project: string;
  snapshotId: number;
  createdAt: string;
  tables: Record<ArchivedTable, unknown[]>;
}

/** Writes the bundle (atomically), reads it back and compares; returns its path and hash. */
async function writeBundle(
  paths: BosunPaths,
  project: Project,
  archiveId: string,
  snapshotId: number,
  rows: ProjectRows,
): Promise<{ file: string; sha256: string }> {
  const bundle: Bundle = {
    format: 'bosun-project-archive',
    version: 1,
    archiveId,
    project: project.slug,
    snapshotId,
    createdAt: new Date().toISOString(),
    tables: Object.fromEntries(
      archivedTables.map(({ table }) => [table, rows[table].map((r) => JSON.parse(r) as unknown)]),
    ) as Bundle['tables'],
  };
  const dir = path.join(paths.home, 'archives');
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${project.slug}-${bundle.createdAt.replace(/[:.]/g, '-')}.json`);
  const text = JSON.stringify(bundle, null, 1);
  await fs.writeFile(`${file}.tmp`, text);
  await fs.rename(`${file}.tmp`, file);
  // The text was made from these rows: reading it back byte for byte the same is the whole check.
  if ((await fs.readFile(file, 'utf8')) !== text)
    throw new BosunError('INTERNAL', `the archive bundle ${file} does not read back the same`);
  return { file, sha256: sha256(text) };
}

/**
 * Archives a documented (or cancelled) project: lake copy, bundle, verification, then the
 * working rows go. A failure at any step leaves the project in `archiving` with its rows
 * intact; running it again starts over.
 */
export async function archiveProject(pm: PmContext, deps: ArchiveDeps, slug: string): Promise<Project> {
  const { project, previousStatus } = await pmTransaction(pm, async (tx) => {
    const p = await checkCanArchive(tx, slug);
    if (p.status === 'archiving')
      return { project: p, previousStatus: await phaseBefore(tx.client, p.id, 'archiving') };
    return { project: await changePhase(tx, p, { status: 'archiving' }), previousStatus: p.status };
  });
  const rows = await withTransaction(pm.pool, (client) => readRows(client, project.id));
  const archiveId = newId();
  const wanted = archivedTables.map(({ table }) => ({ name: `${ARCHIVE_SCHEMA}.${table}`, columns: lakeColumns }));
  await ensureLakeTables(deps.lake, wanted, {
    author: 'bosun pm',
    message: `create ${wanted.map((t) => t.name).join(', ')}`,
  });
  const archivedAt = new Date();
  const committed = await deps.lake.transaction(
    async (tx) => {
      for (const { table } of archivedTables) {
        await tx.append(
          `${ARCHIVE_SCHEMA}.${table}`,
          rows[table].map((row) => ({ archive_id: archiveId, project_slug: slug, archived_at: archivedAt, row })),
        );
      }
    },
    { author: pm.actor, message: `archive project ${slug}` },
  );
  const snapshotId = committed.snapshotId!;
  const mismatch = sameRows(rows, await readBackFromLake(deps.lake, snapshotId, archiveId));
  if (mismatch)
    throw new BosunError(
      'LAKE_ERROR',
      `the lake archive of ${slug} does not read back the same (${mismatch}); nothing was deleted`,
    );
  const bundle = await writeBundle(deps.paths, project, archiveId, snapshotId, rows);
  const location: ArchiveLocation = {
    archiveId,
    snapshotId,
    bundlePath: bundle.file,
    bundleSha256: bundle.sha256,
    previousStatus,
    counts: countsOf(rows),
  };
  return pmTransaction(pm, async (tx) => {
    const current = await getProject(tx.client, slug, { forUpdate: true });
    if (current.status !== 'archiving')
      throw new BosunError('CONFLICT', `project ${slug} left archiving while it was archived; nothing was deleted`);
    // Tasks cascade to their edges, runs, artifacts, handoffs, notes and events; then what hangs on the project itself.
    await tx.client.query('DELETE FROM bosun.task WHERE project_id = $1', [project.id]);
    await tx.client.query('DELETE FROM bosun.note WHERE project_id = $1', [project.id]);
    await tx.client.query('DELETE FROM bosun.event WHERE project_id = $1', [project.id]);
    const archived = await changePhase(tx, current, { status: 'archived', archive: location });
    appendEvent(tx, { projectId: project.id, kind: 'project.archived', data: { ...location } });
    return archived;
  });
}

/** Brings an archived project back from its lake snapshot, in the phase it was archived from. */
export async function reopenProject(pm: PmContext, deps: Pick<ArchiveDeps, 'lake'>, slug: string): Promise<Project> {
  const stub = await getProject(pm.pool, slug);
  if (stub.status !== 'archived' || !stub.archive) {
    throw new BosunError('CONFLICT', `project ${slug} is ${stub.status}; only an archived project can be reopened`);
  }
  const location = stub.archive;
  const rows = await readBackFromLake(deps.lake, location.snapshotId, location.archiveId);
  const counts = countsOf(rows);
  const lost = archivedTables.find(({ table }) => counts[table] !== location.counts[table]);
  if (lost) {
    throw new BosunError(
      'LAKE_ERROR',
      `the lake archive of ${slug} has ${counts[lost.table]} ${lost.table} rows, ${location.counts[lost.table]} were archived`,
      {
        hint: `the bundle ${location.bundlePath} holds a copy`,
      },
    );
  }
  return pmTransaction(pm, async (tx) => {
    const project = await getProject(tx.client, slug, { forUpdate: true });
    if (project.status !== 'archived')
      throw new BosunError(
        'CONFLICT',
        `project ${slug} is ${project.status}; only an archived project can be reopened`,
      );
    for (const { table } of archivedTables) {
      if (table === 'project' || !rows[table].length) continue;
      const ordered = table === 'task' ? [...rows.task].sort((a, b) => taskNumber(a) - taskNumber(b)) : rows[table];
      await tx.client.query(
        `INSERT INTO bosun.${table} ${table === 'event' ? 'OVERRIDING SYSTEM VALUE' : ''}
         SELECT * FROM json_populate_recordset(NULL::bosun.${table}, $1::json)`,
        [`[${ordered.join(',')}]`],
      );
    }
    const reopened = await changePhase(tx, project, { status: location.previousStatus });
    appendEvent(tx, {
      projectId: project.id,
      kind: 'project.reopened',
      data: { archiveId: location.archiveId, snapshotId: location.snapshotId },
    });
    return reopened;
  });
}

/** Parents before children: a handoff task always has a higher number than its parent. */
function taskNumber(row: string): number {
  return (JSON.parse(row) as { number: number }).number;
}
