import { formatTime, type AlignedChapter } from './chapters.js';
import type { VideoSummary } from './summary.js';
import type { VideoMetadata } from './ytdlp.js';

/** Human-readable artifacts: the transcript by chapter with timestamps, and the summary. */

/** A new timestamped paragraph at least this often, so a reader can jump into the video. */
const PARAGRAPH_SECONDS = 60;

function header(m: VideoMetadata): string {
  const facts = [m.channel, m.duration !== null ? formatTime(m.duration) : null, m.uploadDate, m.url].filter(Boolean);
  return `# ${m.title}\n\n_${facts.join(' · ')}_`;
}

export function transcriptMarkdown(m: VideoMetadata, chapters: AlignedChapter[], sourceLine: string): string {
  const parts = [header(m), '', sourceLine];
  for (const c of chapters) {
    if (!c.segments.length) continue;
    parts.push('', `## ${c.title} (${formatTime(c.start)})`);
    let paragraph: { start: number; words: string[] } | null = null;
    const flush = () => {
      if (paragraph) parts.push('', `[${formatTime(paragraph.start)}] ${paragraph.words.join(' ')}`);
      paragraph = null;
    };
    for (const s of c.segments) {
      if (paragraph && s.start - paragraph.start >= PARAGRAPH_SECONDS) flush();
      paragraph ??= { start: s.start, words: [] };
      paragraph.words.push(s.text);
    }
    flush();
  }
  return parts.join('\n') + '\n';
}

export function summaryMarkdown(m: VideoMetadata, summary: VideoSummary): string {
  const how =
    summary.method === 'chat'
      ? `Summary written by ${summary.model ?? 'a chat model'} from the transcript.`
      : 'Extractive summary: the most telling sentences of each chapter, as said.';
  return `${header(m)}\n\n${how}\n\n${summary.text}\n`;
}
