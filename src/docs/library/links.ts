import type pg from 'pg';
import type { Queryable } from './libraries.js';

export type LinkKind = 'page' | 'external' | 'broken';

/** A link from a page, as written, with what it resolved to. */
export interface LinkRecord {
  version: string;
  fromPath: string;
  /** Position among the page's links. */
  ordinal: number;
  href: string;
  text: string;
  /** Anchor of the section the link stands in ('' before the first heading). */
  sectionAnchor: string;
  /** 'page': a page of this library; 'external': outside it; 'broken': meant to be inside, but no page is there. */
  kind: LinkKind;
  toVersion: string | null;
  toPath: string | null;
  toAnchor: string | null;
  /** Why a broken link is broken. */
  reason: string | null;
}

interface LinkRow {
  version: string;
  from_path: string;
  ordinal: number;
  href: string;
  text: string;
  section_anchor: string;
  kind: LinkKind;
  to_version: string | null;
  to_path: string | null;
  to_anchor: string | null;
  reason: string | null;
}

const COLUMNS = `version, from_path, ordinal, href, text, section_anchor, kind, to_version, to_path, to_anchor, reason`;

const fromRow = (r: LinkRow): LinkRecord => ({
  version: r.version,
  fromPath: r.from_path,
  ordinal: r.ordinal,
  href: r.href,
  text: r.text,
  sectionAnchor: r.section_anchor,
  kind: r.kind,
  toVersion: r.to_version,
  toPath: r.to_path,
  toAnchor: r.to_anchor,
  reason: r.reason,
});

export async function libraryLinks(q: Queryable, library: string): Promise<LinkRecord[]> {
  const res = await q.query<LinkRow>(
    `SELECT ${COLUMNS} FROM bosun.doc_link WHERE library = $1 ORDER BY version, from_path, ordinal`,
    [library],
  );
  return res.rows.map(fromRow);
}

/** Makes the library's links exactly `links` (they were all re-resolved together). */
export async function replaceLinks(
  client: pg.PoolClient,
  library: string,
  links: readonly LinkRecord[],
): Promise<void> {
  const col = <K extends keyof LinkRecord>(k: K) => links.map((l) => l[k]);
  await client.query(`DELETE FROM bosun.doc_link WHERE library = $1`, [library]);
  await client.query(
    `INSERT INTO bosun.doc_link (library, ${COLUMNS})
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[],
                              $9::text[], $10::text[], $11::text[], $12::text[])`,
    [
      library,
      col('version'),
      col('fromPath'),
      col('ordinal'),
      col('href'),
      col('text'),
      col('sectionAnchor'),
      col('kind'),
      col('toVersion'),
      col('toPath'),
      col('toAnchor'),
      col('reason'),
    ],
  );
}

/** The cross-references of one page: links out of it to pages, and links from other pages into it. */
export async function pageLinks(
  q: Queryable,
  library: string,
  version: string,
  path: string,
): Promise<{ outgoing: LinkRecord[]; incoming: LinkRecord[] }> {
  const outgoing = await q.query<LinkRow>(
    `SELECT ${COLUMNS} FROM bosun.doc_link WHERE library = $1 AND version = $2 AND from_path = $3 ORDER BY ordinal`,
    [library, version, path],
  );
  const incoming = await q.query<LinkRow>(
    `SELECT ${COLUMNS} FROM bosun.doc_link
      WHERE library = $1 AND kind = 'page' AND to_version = $2 AND to_path = $3
        AND NOT (version = $2 AND from_path = $3)
      ORDER BY version, from_path, ordinal`,
    [library, version, path],
  );
  return { outgoing: outgoing.rows.map(fromRow), incoming: incoming.rows.map(fromRow) };
}

/** Broken links in version and page order, at most `limit`; `total` counts them all. */
export async function brokenLinks(
  q: Queryable,
  library: string,
  limit: number,
): Promise<{ total: number; links: LinkRecord[] }> {
  const total = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM bosun.doc_link WHERE library = $1 AND kind = 'broken'`,
    [library],
  );
  const res = await q.query<LinkRow>(
    `SELECT ${COLUMNS} FROM bosun.doc_link WHERE library = $1 AND kind = 'broken' ORDER BY version, from_path, ordinal LIMIT $2`,
    [library, limit],
  );
  return { total: total.rows[0]?.n ?? 0, links: res.rows.map(fromRow) };
}

export async function linkCounts(q: Queryable, library: string): Promise<{ total: number; broken: number }> {
  const res = await q.query<{ total: number; broken: number }>(
    `SELECT count(*)::int AS total, (count(*) FILTER (WHERE kind = 'broken'))::int AS broken FROM bosun.doc_link WHERE library = $1`,
    [library],
  );
  return { total: res.rows[0]?.total ?? 0, broken: res.rows[0]?.broken ?? 0 };
}
