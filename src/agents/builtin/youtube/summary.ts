import { BosunError } from '../../../core/index.js';
import { apiKeyOf, chatCompletion } from '../../endpoints/openai.js';
import type { Endpoints } from '../../runtime/types.js';
import { tokenize } from '../../text.js';
import { formatTime, type AlignedChapter } from './chapters.js';
import type { Segment } from './vtt.js';

export interface ChapterSummary {
  title: string;
  start: number;
  end: number;
  points: { start: number; text: string }[];
}

export interface VideoSummary {
  method: 'chat' | 'extractive';
  model: string | null;
  /** Per chapter for the extractive method; the chat model writes free text. */
  chapters: ChapterSummary[] | null;
  text: string;
  promptTokens: number;
  completionTokens: number;
}

/**
 * Automatic captions have no punctuation: a "sentence" ends at . ! ? when there are any, else
 * after about 25 words, so that sentences stay readable either way.
 */
function sentences(segments: Segment[]): { start: number; text: string }[] {
  const out: { start: number; text: string }[] = [];
  let current: { start: number; words: string[] } | null = null;
  for (const segment of segments) {
    for (const word of segment.text.split(/\s+/).filter(Boolean)) {
      current ??= { start: segment.start, words: [] };
      current.words.push(word);
      if (/[.!?]["')\]]?$/.test(word) || current.words.length >= 25) {
        out.push({ start: current.start, text: current.words.join(' ') });
        current = null;
      }
    }
  }
  if (current) out.push({ start: current.start, text: current.words.join(' ') });
  return out;
}

/**
 * The sentences of each chapter that carry its most frequent content words (stop words aside),
 * normalised by length, kept in the order they were said.
 */
export function extractiveSummary(chapters: AlignedChapter[], perChapter: number): VideoSummary {
  const frequency = new Map<string, number>();
  for (const c of chapters)
    for (const s of c.segments) for (const t of tokenize(s.text)) frequency.set(t.key, (frequency.get(t.key) ?? 0) + 1);
  const summaries: ChapterSummary[] = chapters
    .filter((c) => c.segments.length)
    .map((c) => {
      const ranked = sentences(c.segments).map((s, index) => {
        const tokens = tokenize(s.text);
        const weight =
          tokens.reduce((sum, t) => sum + (frequency.get(t.key) ?? 0), 0) / Math.sqrt(Math.max(1, tokens.length));
        return { ...s, index, weight };
      });
      const chosen = [...ranked]
        .sort((a, b) => b.weight - a.weight || a.index - b.index)
        .slice(0, perChapter)
        .sort((a, b) => a.index - b.index);
      return {
        title: c.title,
        start: c.start,
        end: c.end,
        points: chosen.map((s) => ({ start: s.start, text: s.text })),
      };
    });
  const text = summaries
    .map((c) =>
      [
        `## ${c.title} (${formatTime(c.start)})`,
        '',
        ...c.points.map((p) => `- [${formatTime(p.start)}] ${p.text}`),
      ].join('\n'),
    )
    .join('\n\n');
  return { method: 'extractive', model: null, chapters: summaries, text, promptTokens: 0, completionTokens: 0 };
}

/** Characters of transcript sent to the chat model; longer chapters are cut evenly. */
const MAX_PROMPT_CHARS = 48_000;

const SYSTEM_PROMPT =
  'You summarise video transcripts for a busy reader. Write markdown: for each chapter, a "## " heading with its title ' +
  'and start time, then two to four bullet points with what is said there. Use only the transcript; do not invent facts.';

export async function chatSummary(
  endpoints: Endpoints,
  video: { title: string; channel: string | null },
  chapters: AlignedChapter[],
  signal: AbortSignal,
): Promise<VideoSummary> {
  if (!endpoints.chatUrl) throw new BosunError('INTERNAL', 'chatSummary needs endpoints.chatUrl');
  const withText = chapters.filter((c) => c.segments.length);
  const budget = Math.floor(MAX_PROMPT_CHARS / Math.max(1, withText.length));
  const body = withText
    .map((c) => {
      const text = c.segments.map((s) => s.text).join(' ');
      return `## ${c.title} (${formatTime(c.start)})\n${text.length > budget ? `${text.slice(0, budget)} …` : text}`;
    })
    .join('\n\n');
  const model = endpoints.chatModel ?? 'gpt-4o-mini';
  const result = await chatCompletion({
    baseUrl: endpoints.chatUrl,
    apiKey: apiKeyOf(endpoints),
    model,
    signal,
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: `Video: ${video.title}${video.channel ? ` (${video.channel})` : ''}\n\n${body}` },
    ],
  });
  return {
    method: 'chat',
    model: result.model,
    chapters: null,
    text: result.content.trim(),
    promptTokens: result.promptTokens,
    completionTokens: result.completionTokens,
  };
}
