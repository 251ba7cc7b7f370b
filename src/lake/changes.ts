/**
 * `ducklake_snapshot_changes.changes_made`: the comma-separated change tokens of a snapshot
 * (names quoted SQL-style: `created_table:"docs"."chunks"`), and the specification's rules for
 * when two concurrent snapshots conflict (conflict_resolution.md).
 */
import { quoteIdent } from './sql.js';

export type ChangeToken =
  | { kind: 'created_schema'; schema: string }
  | { kind: 'created_table' | 'created_view'; schema: string; name: string }
  | {
      kind:
        | 'inserted_into_table'
        | 'deleted_from_table'
        | 'compacted_table'
        | 'dropped_table'
        | 'altered_table'
        | 'dropped_schema'
        | 'dropped_view'
        | 'altered_view';
      id: number;
    }
  | { kind: 'other'; text: string };

/** Names in a change token are quoted as DuckDB identifiers (lake/sql.ts, the one quoter). */
const quoteName = quoteIdent;

function formatToken(t: ChangeToken): string {
  switch (t.kind) {
    case 'created_schema':
      return `created_schema:${quoteName(t.schema)}`;
    case 'created_table':
    case 'created_view':
      return `${t.kind}:${quoteName(t.schema)}.${quoteName(t.name)}`;
    case 'other':
      return t.text;
    default:
      return `${t.kind}:${t.id}`;
  }
}

/** Distinct tokens, in the order made. */
export function formatChanges(tokens: readonly ChangeToken[]): string {
  return [...new Set(tokens.map(formatToken))].join(',');
}

/** Splits on `sep` outside double-quoted names. */
function splitOutsideQuotes(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === sep && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

const unquote = (name: string): string =>
  name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name;

const idKinds = new Set([
  'inserted_into_table',
  'deleted_from_table',
  'compacted_table',
  'dropped_table',
  'altered_table',
  'dropped_schema',
  'dropped_view',
  'altered_view',
]);

/** Aliases other writers use: the extension records merge_adjacent_files as `merge_adjacent`. */
const kindAliases: Record<string, string> = { merge_adjacent: 'compacted_table' };

export function parseChanges(text: string): ChangeToken[] {
  if (!text.trim()) return [];
  return splitOutsideQuotes(text, ',').map((raw): ChangeToken => {
    const colon = raw.indexOf(':');
    if (colon < 0) return { kind: 'other', text: raw };
    const kind = kindAliases[raw.slice(0, colon)] ?? raw.slice(0, colon);
    const value = raw.slice(colon + 1);
    if (kind === 'created_schema') return { kind, schema: unquote(value) };
    if (kind === 'created_table' || kind === 'created_view') {
      const parts = splitOutsideQuotes(value, '.').map(unquote);
      return parts.length === 2
        ? { kind, schema: parts[0]!, name: parts[1]! }
        : { kind, schema: '', name: parts.join('.') };
    }
    if (idKinds.has(kind) && /^\d+$/.test(value)) return { kind: kind as 'dropped_table', id: Number(value) };
    return { kind: 'other', text: raw };
  });
}

/** What a commit in progress does, with the ids its names had at its base snapshot. */
export interface PendingChanges {
  tokens: readonly ChangeToken[];
  /** Ids (at the base snapshot) of the schemas it creates tables in; absent when it creates the schema itself. */
  schemaIds: ReadonlyMap<string, number>;
  /** Names of the schemas it drops, by id. */
  droppedSchemaNames: ReadonlyMap<number, string>;
}

/**
 * The first logical conflict between a commit in progress and the snapshots committed since
 * its base, as a sentence; null when it may simply retry with the next snapshot id.
 */
export function findConflict(ours: PendingChanges, theirs: readonly ChangeToken[]): string | null {
  const ids = (kind: ChangeToken['kind']) =>
    new Set(theirs.flatMap((t) => (t.kind === kind && 'id' in t ? [t.id] : [])));
  const created = (kind: 'created_table' | 'created_view') =>
    theirs.flatMap((t) => (t.kind === kind ? [`${t.schema}.${t.name}`] : []));
  const theirSchemas = new Set(theirs.flatMap((t) => (t.kind === 'created_schema' ? [t.schema] : [])));
  const theirEntries = new Set([...created('created_table'), ...created('created_view')]);
  const theirEntrySchemas = new Set(
    theirs.flatMap((t) => (t.kind === 'created_table' || t.kind === 'created_view' ? [t.schema] : [])),
  );
  const dropped = ids('dropped_table');
  const altered = ids('altered_table');
  const inserted = ids('inserted_into_table');
  const deleted = ids('deleted_from_table');
  const compacted = ids('compacted_table');
  const droppedSchemas = ids('dropped_schema');
  const droppedViews = ids('dropped_view');
  const alteredViews = ids('altered_view');

  for (const t of ours.tokens) {
    switch (t.kind) {
      case 'created_schema':
        if (theirSchemas.has(t.schema)) return `another commit created schema ${t.schema}`;
        break;
      case 'dropped_schema': {
        if (droppedSchemas.has(t.id)) return `another commit dropped the same schema`;
        const name = ours.droppedSchemaNames.get(t.id);
        if (name !== undefined && theirEntrySchemas.has(name))
          return `another commit created an entry in schema ${name}`;
        break;
      }
      case 'created_table':
      case 'created_view': {
        if (theirEntries.has(`${t.schema}.${t.name}`)) return `another commit created ${t.schema}.${t.name}`;
        const schemaId = ours.schemaIds.get(t.schema);
        if (schemaId !== undefined && droppedSchemas.has(schemaId)) return `another commit dropped schema ${t.schema}`;
        break;
      }
      case 'dropped_table':
        if (dropped.has(t.id)) return `another commit dropped the same table`;
        break;
      case 'dropped_view':
        if (droppedViews.has(t.id)) return `another commit dropped the same view`;
        break;
      case 'altered_table':
        if (dropped.has(t.id) || altered.has(t.id)) return `another commit dropped or altered the table`;
        break;
      case 'altered_view':
        if (droppedViews.has(t.id) || alteredViews.has(t.id)) return `another commit dropped or altered the view`;
        break;
      case 'inserted_into_table':
        if (dropped.has(t.id) || altered.has(t.id) || deleted.has(t.id))
          return `another commit dropped, altered or deleted from the table`;
        break;
      case 'deleted_from_table':
        if (dropped.has(t.id) || altered.has(t.id) || inserted.has(t.id) || compacted.has(t.id)) {
          return `another commit dropped, altered, inserted into or compacted the table`;
        }
        break;
      case 'compacted_table':
        if (deleted.has(t.id) || dropped.has(t.id)) return `another commit deleted from or dropped the table`;
        break;
    }
  }
  return null;
}
