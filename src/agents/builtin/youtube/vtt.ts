/**
 * WebVTT captions → timed transcript segments. YouTube's automatic captions "roll": each cue
 * repeats the line shown before it and adds the next one with word timings
 * (`word<00:00:01.320><c> next</c>`), and short transition cues repeat a line alone. Read
 * naively, every sentence appears two or three times; here each line is kept once, at the time
 * it first appeared.
 */

export interface Cue {
  start: number;
  end: number;
  /** Text lines with markup removed. */
  lines: string[];
}

export interface Segment {
  start: number;
  end: number;
  text: string;
}

const TIMING = /^((?:\d+:)?\d{1,2}:\d{2}\.\d{3})\s+-->\s+((?:\d+:)?\d{1,2}:\d{2}\.\d{3})/;
/** A timestamp inside a cue's text: only word-timed (rolling) captions have them. */
const INLINE_TIMESTAMP = /<(?:\d+:)?\d{2}:\d{2}\.\d{3}>/;

export function parseTimestamp(ts: string): number {
  const parts = ts.split(':').map(Number);
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  nbsp: ' ',
  quot: '"',
  apos: "'",
  lrm: '',
  rlm: '',
};

/** Cue text without tags (<c>, <i>, <v Speaker>, timestamps) and with entities decoded. */
export function stripMarkup(line: string): string {
  return line
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|[a-z]+);/gi, (m, name: string) =>
      name.startsWith('#') ? String.fromCodePoint(Number(name.slice(1))) : (ENTITIES[name.toLowerCase()] ?? m),
    )
    .replace(/\s+/g, ' ')
    .trim();
}

export interface ParsedVtt {
  cues: Cue[];
  /** Word timings were found: YouTube's rolling automatic captions. */
  rolling: boolean;
}

/** Parses a WebVTT file; NOTE, STYLE and REGION blocks are skipped. Throws on a file that is not WebVTT. */
export function parseVtt(text: string): ParsedVtt {
  const body = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (!/^WEBVTT(?:[ \t].*)?(?:\n|$)/.test(body)) throw new Error('not a WebVTT file (no WEBVTT header)');
  const cues: Cue[] = [];
  let rolling = false;
  for (const block of body.split(/\n{2,}/).slice(1)) {
    const lines = block.split('\n');
    const timingAt = lines.findIndex((l) => TIMING.test(l));
    if (timingAt < 0 || /^(NOTE|STYLE|REGION)\b/.test(lines[0] ?? '')) continue;
    const m = TIMING.exec(lines[timingAt]!)!;
    const payload = lines.slice(timingAt + 1);
    if (payload.some((l) => INLINE_TIMESTAMP.test(l))) rolling = true;
    const textLines = payload.map(stripMarkup).filter((l) => l.length > 0);
    cues.push({ start: parseTimestamp(m[1]!), end: parseTimestamp(m[2]!), lines: textLines });
  }
  return { cues, rolling };
}

/**
 * Segments from cues. Plain captions: one segment per cue. Rolling captions: one segment per
 * distinct line, dropping a line that the previous cue already showed; a segment lasts until the
 * next one starts.
 */
export function cuesToSegments(parsed: ParsedVtt): Segment[] {
  const segments: Segment[] = [];
  if (!parsed.rolling) {
    for (const cue of parsed.cues)
      if (cue.lines.length) segments.push({ start: cue.start, end: cue.end, text: cue.lines.join(' ') });
    return segments;
  }
  let shown: string[] = [];
  for (const cue of parsed.cues) {
    for (const line of cue.lines) {
      if (shown.includes(line)) continue;
      const previous = segments.at(-1);
      if (previous && cue.start > previous.start) previous.end = cue.start;
      segments.push({ start: cue.start, end: cue.end, text: line });
    }
    shown = cue.lines;
  }
  return segments;
}
