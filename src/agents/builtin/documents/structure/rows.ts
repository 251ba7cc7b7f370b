import type { Box, DocumentPage, Word } from '../../../../docs/ocr/index.js';

/**
 * Words regrouped into visual rows by their vertical position. OCR splits a table row into one
 * "line" per column block, and a text layer may too; rows put a label and its value, or a
 * table's cells, back side by side.
 */
export interface Cell {
  text: string;
  x0: number;
  x1: number;
}

export interface Row {
  page: number;
  top: number;
  bottom: number;
  /** Median word height: the font size, near enough. */
  height: number;
  words: Word[];
  text: string;
  /** Words split where the gap is wider than a space: a table's cells, or a label and its value. */
  cells: Cell[];
}

const median = (xs: number[]) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

const centre = (b: Box) => (b[1] + b[3]) / 2;
const heightOf = (b: Box) => b[3] - b[1];

export function pageRows(page: DocumentPage): Row[] {
  const words = page.lines.flatMap((l) => l.words).sort((a, b) => centre(a.box) - centre(b.box));
  const typical = median(words.map((w) => heightOf(w.box))) || 10;
  const groups: Word[][] = [];
  for (const w of words) {
    const last = groups.at(-1);
    const lastCentre = last ? median(last.map((x) => centre(x.box))) : -Infinity;
    if (last && Math.abs(centre(w.box) - lastCentre) < typical * 0.5) last.push(w);
    else groups.push([w]);
  }
  return groups.map((g) => {
    const sorted = g.sort((a, b) => a.box[0] - b.box[0]);
    const height = median(sorted.map((w) => heightOf(w.box)));
    return {
      page: page.number,
      top: Math.min(...sorted.map((w) => w.box[1])),
      bottom: Math.max(...sorted.map((w) => w.box[3])),
      height,
      words: sorted,
      text: sorted.map((w) => w.text).join(' '),
      cells: splitCells(sorted, height),
    };
  });
}

/** A gap wider than about a letter's height separates cells; a word space is a third of that. */
function splitCells(words: Word[], height: number): Cell[] {
  const cells: Cell[] = [];
  for (const w of words) {
    const last = cells.at(-1);
    if (last && w.box[0] - last.x1 < Math.max(height * 0.9, 4)) {
      last.text += ` ${w.text}`;
      last.x1 = w.box[2];
    } else {
      cells.push({ text: w.text, x0: w.box[0], x1: w.box[2] });
    }
  }
  return cells;
}

export { median };
