import { parseTimestamp, type Segment } from './vtt.js';

export interface Chapter {
  title: string;
  start: number;
  end: number | null;
}

export interface AlignedChapter {
  title: string;
  start: number;
  end: number;
  segments: Segment[];
}

const CHAPTER_LINE = /^\s*(?:[-•*]\s*)?\(?((?:\d{1,2}:)?\d{1,2}:\d{2})\)?\s*(?:[-–—:|]\s*)?(\S.*?)\s*$/;

/**
 * Chapters written in a description the way YouTube reads them: lines that start with a
 * timestamp, the first at 0:00, in increasing order. Fewer than two such lines: no chapters.
 */
export function chaptersFromDescription(description: string | null): Chapter[] {
  if (!description) return [];
  const found: Chapter[] = [];
  for (const line of description.split(/\r?\n/)) {
    const m = CHAPTER_LINE.exec(line);
    if (!m) continue;
    const start = parseTimestamp(m[1]!);
    if (found.length ? start <= found.at(-1)!.start : start !== 0) return [];
    found.push({ title: m[2]!, start, end: null });
  }
  return found.length >= 2 ? found : [];
}

/** Without chapters, the transcript is cut into windows of this length for reading and summarising. */
const WINDOW_SECONDS = 300;

export function formatTime(seconds: number): string {
  const s = Math.floor(seconds);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/**
 * Puts each segment in the chapter where it starts. Chapter ends come from the next chapter,
 * then the video's duration, then the last segment. Without chapters: fixed windows.
 */
export function alignChapters(segments: Segment[], chapters: Chapter[], duration: number | null): AlignedChapter[] {
  const lastEnd = Math.max(duration ?? 0, ...segments.map((s) => s.end));
  const bounds: Chapter[] = chapters.length
    ? chapters
    : Array.from({ length: Math.max(1, Math.ceil(lastEnd / WINDOW_SECONDS)) }, (_, i) => ({
        title: `${formatTime(i * WINDOW_SECONDS)}–${formatTime(Math.min(lastEnd, (i + 1) * WINDOW_SECONDS))}`,
        start: i * WINDOW_SECONDS,
        end: null,
      }));
  const aligned = bounds.map((c, i) => ({
    title: c.title,
    start: c.start,
    end: c.end ?? bounds[i + 1]?.start ?? lastEnd,
    segments: [] as Segment[],
  }));
  for (const segment of segments) {
    // The last chapter that has started by then (a segment before the first chapter goes in it).
    aligned[
      Math.max(
        0,
        aligned.findLastIndex((c) => c.start <= segment.start),
      )
    ]!.segments.push(segment);
  }
  return aligned;
}
