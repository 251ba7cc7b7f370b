import type { Cell, Row } from './rows.js';

export interface Table {
  page: number;
  /** Rows of cells, the first usually the header; empty strings where a row has no cell in a column. */
  rows: string[][];
  /** The rows the table was built from (for line items). */
  source: Row[];
}

const overlap = (a: Cell, b: { x0: number; x1: number }) => Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
const centre = (c: { x0: number; x1: number }) => (c.x0 + c.x1) / 2;

/**
 * Tables recovered from word positions: runs of consecutive rows with two or more cells, close
 * together; the row with the most cells sets the columns and every other cell joins the column
 * it overlaps most (or the nearest), so right-aligned numbers land under their header.
 */
export function extractTables(rows: Row[]): Table[] {
  const tables: Table[] = [];
  let run: Row[] = [];
  const flush = () => {
    if (run.length >= 2) tables.push(toTable(run));
    run = [];
  };
  for (const row of rows) {
    const last = run.at(-1);
    const near = last && last.page === row.page && row.top - last.bottom < Math.max(last.height, row.height) * 2;
    if (row.cells.length < 2) {
      flush();
      continue;
    }
    if (!near) flush();
    run.push(row);
  }
  flush();
  return tables.filter((t) => t.rows[0]!.length >= 2);
}

function toTable(rows: Row[]): Table {
  const template = rows.reduce((best, r) => (r.cells.length > best.cells.length ? r : best));
  const columns = template.cells.map((c) => ({ x0: c.x0, x1: c.x1 }));
  const grid = rows.map((r) => {
    const cells = columns.map(() => [] as string[]);
    for (const cell of r.cells) {
      let best = 0;
      let score = -Infinity;
      columns.forEach((col, i) => {
        const o = overlap(cell, col);
        const s = o > 0 ? o : -Math.abs(centre(cell) - centre(col));
        if (s > score) [best, score] = [i, s];
      });
      cells[best]!.push(cell.text);
    }
    return cells.map((c) => c.join(' '));
  });
  return { page: rows[0]!.page, rows: grid, source: rows };
}

/** RFC 4180 CSV. */
export function tableCsv(t: Table): string {
  const quote = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return `${t.rows.map((r) => r.map(quote).join(',')).join('\r\n')}\r\n`;
}
