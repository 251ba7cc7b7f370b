import { median, type Row } from './rows.js';

export interface Section {
  heading: string | null;
  /** 1 for the largest headings, 2 for the next size down, … */
  level: number;
  page: number;
  text: string;
}

/** A row is a heading when its letters are this much taller than the body's. */
const HEADING_RATIO = 1.25;

/**
 * Sections by font size: rows noticeably taller than the body text, short and alone on their
 * row, are headings; heading sizes rank into levels; each section holds the rows up to the next.
 */
export function extractSections(rows: Row[]): Section[] {
  const body = median(rows.flatMap((r) => r.words.map(() => r.height)));
  const isHeading = (r: Row) =>
    r.height >= body * HEADING_RATIO && r.cells.length === 1 && r.words.length <= 15 && /\p{L}/u.test(r.text);
  const sizes = [...new Set(rows.filter(isHeading).map((r) => Math.round(r.height)))].sort((a, b) => b - a);
  const sections: Section[] = [];
  let current: Section | undefined;
  let lines: string[] = [];
  const close = () => {
    if (current) sections.push({ ...current, text: lines.join('\n') });
    lines = [];
  };
  for (const row of rows) {
    if (isHeading(row)) {
      close();
      current = { heading: row.text, level: sizes.indexOf(Math.round(row.height)) + 1, page: row.page, text: '' };
    } else {
      current ??= { heading: null, level: 0, page: row.page, text: '' };
      lines.push(row.text);
    }
  }
  close();
  return sections;
}
