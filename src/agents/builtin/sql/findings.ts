/**
 * What a PostgreSQL plan (EXPLAIN FORMAT JSON) says a person can fix: each finding names the
 * node, what is wrong, and the change that would help.
 */

export interface Finding {
  kind: 'seq_scan_selective' | 'misestimate' | 'spill' | 'nested_loop_large' | 'function_on_indexed_column';
  node: string;
  relation?: string;
  message: string;
  suggestion: string;
}

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Alias?: string;
  Filter?: string;
  'Join Filter'?: string;
  'Plan Rows'?: number;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Sort Space Type'?: string;
  'Sort Method'?: string;
  'Hash Batches'?: number;
  'Original Hash Batches'?: number;
  Plans?: PlanNode[];
  [key: string]: unknown;
}

/** What the plan cannot tell: each relation's size and indexed columns, looked up in the catalog. */
export interface RelationFacts {
  rows: number;
  indexedColumns: Set<string>;
}

/** Tables this big are worth an index; below it a sequential scan is as good. */
export const LARGE_TABLE_ROWS = 10_000;
/** A filter keeping at most this share of a large table's rows is selective. */
const SELECTIVE = 0.05;
const MISESTIMATE = 10;

/** Column names compared in a filter: `(customer_id = 42)`, `((status)::text = 'x'::text)`. */
export function filterColumns(filter: string): string[] {
  const found = new Set<string>();
  for (const m of filter.matchAll(
    /\(*"?([a-z_][a-z0-9_]*)"?\)?(?:::[a-z ]+\)?)?\s*(?:=|<>|<=|>=|<|>|~~\*?|IS NULL|IS NOT NULL)/gi,
  ))
    if (!/^(and|or|not)$/i.test(m[1]!)) found.add(m[1]!);
  return [...found];
}

/** Calls wrapping a column in a filter: `lower(email)` → [{fn: lower, column: email}]. */
function wrappedColumns(filter: string): { fn: string; column: string }[] {
  return [...filter.matchAll(/\b([a-z_][a-z0-9_]*)\(\(?"?([a-z_][a-z0-9_]*)"?\)?(?:::[a-z ]+)?\)/gi)]
    .filter((m) => !/^(and|or|not|any|all)$/i.test(m[1]!))
    .map((m) => ({ fn: m[1]!, column: m[2]! }));
}

const rowsOf = (n: PlanNode): number =>
  n['Actual Rows'] !== undefined ? n['Actual Rows'] * (n['Actual Loops'] ?? 1) : (n['Plan Rows'] ?? 0);

function walk(node: PlanNode, visit: (n: PlanNode) => void): void {
  visit(node);
  for (const child of node.Plans ?? []) walk(child, visit);
}

/** The relation a scan (or the scan under a Materialize) reads. */
function scanned(node: PlanNode): PlanNode | null {
  if (node['Relation Name']) return node;
  if (node['Node Type'] === 'Materialize' && node.Plans?.[0]) return scanned(node.Plans[0]);
  return null;
}

export function planFindings(root: PlanNode, facts: Map<string, RelationFacts>): Finding[] {
  const findings: Finding[] = [];
  walk(root, (n) => {
    const type = n['Node Type'];
    const relation = n['Relation Name'];
    const table = relation ? facts.get(relation) : undefined;
    if (type === 'Seq Scan' && relation && n.Filter && table) {
      const wrapped = wrappedColumns(n.Filter).filter((w) => table.indexedColumns.has(w.column));
      for (const w of wrapped) {
        findings.push({
          kind: 'function_on_indexed_column',
          node: type,
          relation,
          message: `${relation}.${w.column} is indexed, but the filter applies ${w.fn}() to it, so the index cannot be used`,
          suggestion: `CREATE INDEX ON ${relation} (${w.fn}(${w.column})); or compare the bare column`,
        });
      }
      const kept = rowsOf(n);
      const total =
        n['Rows Removed by Filter'] !== undefined
          ? kept + n['Rows Removed by Filter'] * (n['Actual Loops'] ?? 1)
          : table.rows;
      const columns = filterColumns(n.Filter).filter((c) => !table.indexedColumns.has(c));
      if (!wrapped.length && total >= LARGE_TABLE_ROWS && kept <= total * SELECTIVE && columns.length) {
        findings.push({
          kind: 'seq_scan_selective',
          node: type,
          relation,
          message: `sequential scan of ${relation} (${total} rows) keeps ${kept} rows through the filter ${n.Filter}`,
          suggestion: `CREATE INDEX ON ${relation} (${columns.join(', ')});`,
        });
      }
    }
    if (n['Actual Rows'] !== undefined && n['Plan Rows'] !== undefined) {
      const actual = n['Actual Rows'];
      const planned = n['Plan Rows'];
      const ratio = Math.max(actual, 1) / Math.max(planned, 1);
      if (Math.max(actual, planned) >= 100 && (ratio >= MISESTIMATE || ratio <= 1 / MISESTIMATE)) {
        findings.push({
          kind: 'misestimate',
          node: type,
          ...(relation ? { relation } : {}),
          message: `${type}${relation ? ` on ${relation}` : ''} was estimated at ${planned} rows and returned ${actual} (${ratio >= 1 ? `${Math.round(ratio)}× more` : `${Math.round(1 / ratio)}× fewer`})`,
          suggestion: relation
            ? `ANALYZE ${relation}; (stale or missing statistics), or CREATE STATISTICS for correlated columns`
            : 'ANALYZE the tables below this node; for correlated columns, CREATE STATISTICS',
        });
      }
    }
    if (type === 'Sort' && (n['Sort Space Type'] === 'Disk' || /external/.test(n['Sort Method'] ?? ''))) {
      findings.push({
        kind: 'spill',
        node: type,
        message: `the sort spilled to disk (${String(n['Sort Method'])}, ${String(n['Sort Space Used'])} kB)`,
        suggestion: `raise work_mem for this query (settings: { work_mem: '${Math.ceil((Number(n['Sort Space Used']) * 3) / 1024)}MB' }), or an index that yields the order`,
      });
    }
    if (type === 'Hash' && Math.max(n['Hash Batches'] ?? 1, n['Original Hash Batches'] ?? 1) > 1) {
      findings.push({
        kind: 'spill',
        node: type,
        message: `the hash table was split into ${n['Hash Batches']} batches on disk`,
        suggestion: 'raise work_mem for this query (settings: { work_mem: … }) so the hash fits in memory',
      });
    }
    if (type === 'Nested Loop' && n.Plans?.length === 2) {
      const [outer, inner] = n.Plans as [PlanNode, PlanNode];
      const innerScan = scanned(inner);
      const innerTable = innerScan?.['Relation Name'];
      const innerRows = innerTable ? (facts.get(innerTable)?.rows ?? innerScan['Plan Rows'] ?? 0) : 0;
      const outerRows = rowsOf(outer);
      if (innerScan?.['Node Type'] === 'Seq Scan' && outerRows >= 1000 && innerRows >= 1000) {
        const columns = filterColumns(n['Join Filter'] ?? innerScan.Filter ?? '').filter(
          (c) => !facts.get(innerTable!)?.indexedColumns.has(c),
        );
        findings.push({
          kind: 'nested_loop_large',
          node: type,
          relation: innerTable!,
          message: `nested loop scans ${innerTable} (${innerRows} rows) once per outer row (${outerRows} rows)`,
          suggestion: columns.length
            ? `CREATE INDEX ON ${innerTable} (${columns.join(', ')}); or rewrite the join as an equality so a hash join applies`
            : 'rewrite the join condition as an equality (hash or merge join), or index the inner side',
        });
      }
    }
  });
  return findings;
}
