import type { Queryable } from './libraries.js';
import { effectiveStatus, type SyncRunStatus } from './sync-runs.js';
import { compareVersionsNewestFirst } from './version-order.js';

/** One line of `bosun docs list` (and the MCP server's list_libraries). */
export interface LibrarySummary {
  name: string;
  description: string | null;
  sources: number;
  versions: string[];
  deprecatedVersions: string[];
  defaultVersion: string | null;
  pages: number;
  chunks: number;
  lastSync: { status: SyncRunStatus; startedAt: Date; finishedAt: Date | null } | null;
  /** The newest lake snapshot a sync of this library committed. */
  snapshotId: number | null;
}

interface SummaryRow {
  name: string;
  description: string | null;
  default_version: string | null;
  sources: number;
  versions: string[];
  deprecated_versions: string[];
  pages: number;
  chunks: number;
  last_status: SyncRunStatus | null;
  owner_pid: number | null;
  owner_host: string | null;
  heartbeat_at: Date | null;
  last_started_at: Date | null;
  last_finished_at: Date | null;
  snapshot_id: number | null;
}

export async function listLibraries(q: Queryable): Promise<LibrarySummary[]> {
  const res = await q.query<SummaryRow>(
    `SELECT l.name, l.description, l.default_version,
            (SELECT count(*) FROM bosun.doc_source s WHERE s.library = l.name)::int AS sources,
            coalesce((SELECT array_agg(v.version) FROM bosun.doc_version v
                       WHERE v.library = l.name), '{}') AS versions,
            coalesce((SELECT array_agg(v.version) FROM bosun.doc_version v
                       WHERE v.library = l.name AND v.deprecated_at IS NOT NULL), '{}') AS deprecated_versions,
            (SELECT count(*) FROM bosun.doc_page p WHERE p.library = l.name AND p.content_hash IS NOT NULL)::int AS pages,
            (SELECT coalesce(sum(p.chunk_count), 0) FROM bosun.doc_page p WHERE p.library = l.name)::int AS chunks,
            r.status AS last_status, r.owner_pid, r.owner_host, r.heartbeat_at, r.started_at AS last_started_at, r.finished_at AS last_finished_at,
            (SELECT max(c.snapshot_id) FROM bosun.doc_sync_run c
              WHERE c.library = l.name AND c.status = 'succeeded') AS snapshot_id
       FROM bosun.doc_library l
       LEFT JOIN LATERAL (SELECT status, owner_pid, owner_host, heartbeat_at, started_at, finished_at
                            FROM bosun.doc_sync_run r
                           WHERE r.library = l.name ORDER BY started_at DESC LIMIT 1) r ON true
      ORDER BY l.name`,
  );
  return res.rows.map((r) => ({
    name: r.name,
    description: r.description,
    sources: r.sources,
    versions: [...r.versions].sort(compareVersionsNewestFirst),
    deprecatedVersions: [...r.deprecated_versions].sort(compareVersionsNewestFirst),
    defaultVersion: r.default_version,
    pages: r.pages,
    chunks: r.chunks,
    lastSync:
      r.last_status && r.last_started_at
        ? {
            status: effectiveStatus({ ...r, status: r.last_status }),
            startedAt: r.last_started_at,
            finishedAt: r.last_finished_at,
          }
        : null,
    snapshotId: r.snapshot_id,
  }));
}
