import { apiKeyOf, chatCompletion } from '../../endpoints/openai.js';
import type { Endpoints } from '../../runtime/types.js';
import type { Passage } from './passages.js';

/**
 * The model path: the gathered passages go to the configured chat endpoint, which is asked for
 * an answer whose every sentence ends with the id of the passage it rests on. What comes back is
 * checked, not trusted: a sentence citing no gathered id (none at all, or one the model made up)
 * is removed and counted, so the report never states what no passage says.
 */

const MAX_PROMPT_CHARS = 48_000;

const SYSTEM_PROMPT = [
  'You answer a question using only the numbered passages you are given.',
  'Every sentence must end with the id of the passage it comes from, in square brackets, e.g. [3f2a9c]; cite several as [id1][id2].',
  'A sentence without a valid id will be deleted. Do not add facts that no passage states.',
  'Write plain prose in short paragraphs; markdown headings are allowed. No preamble.',
].join('\n');

export interface Synthesis {
  /** The kept text: headings and cited sentences. */
  text: string;
  model: string;
  sentences: number;
  kept: number;
  /** Sentences without a valid citation, as the model wrote them. */
  removed: string[];
  /** Ids cited by kept sentences, in order of first use. */
  cited: string[];
  promptTokens: number;
  completionTokens: number;
}

export function chatConfigured(endpoints: Endpoints): boolean {
  return Boolean(endpoints.chatUrl);
}

export async function synthesize(
  endpoints: Endpoints,
  question: string,
  passages: Passage[],
  signal: AbortSignal,
): Promise<Synthesis> {
  const budget = Math.floor(MAX_PROMPT_CHARS / Math.max(1, passages.length));
  const body = passages
    .map((p) => `[${p.id}] ${p.citation}\n${p.text.length > budget ? `${p.text.slice(0, budget)} …` : p.text}`)
    .join('\n\n');
  const key = apiKeyOf(endpoints);
  const result = await chatCompletion({
    baseUrl: endpoints.chatUrl!,
    ...(key ? { apiKey: key } : {}),
    model: endpoints.chatModel ?? 'gpt-4o-mini',
    signal,
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: `Question: ${question}\n\nPassages:\n\n${body}` },
    ],
  });
  return { ...keepCited(result.content, new Set(passages.map((p) => p.id))), ...tokensOf(result) };
}

function tokensOf(r: { model: string; promptTokens: number; completionTokens: number }) {
  return { model: r.model, promptTokens: r.promptTokens, completionTokens: r.completionTokens };
}

/**
 * A sentence runs to `.`, `!` or `?` followed by white space or the end, with the citations
 * written right after its full stop still its own ("… snapshots. [ab12]").
 */
const SENTENCE = /\S[\s\S]*?(?:[.!?]+(?:\s*\[[^\]\n]+\])*(?=\s|$)|$)/g;

export function splitSentences(paragraph: string): string[] {
  return (paragraph.match(SENTENCE) ?? []).map((s) => s.trim()).filter(Boolean);
}

/** The ids a sentence cites: every bracket's content, split on commas, semicolons and spaces. */
export function citedIds(sentence: string): string[] {
  return [...sentence.matchAll(/\[([^\]\n]+)\]/g)].flatMap((m) =>
    m[1]!
      .split(/[,;\s]+/)
      .map((id) => id.replace(/^`|`$/g, '').trim())
      .filter(Boolean),
  );
}

export function keepCited(
  answer: string,
  valid: ReadonlySet<string>,
): Pick<Synthesis, 'text' | 'sentences' | 'kept' | 'removed' | 'cited'> {
  const removed: string[] = [];
  const cited: string[] = [];
  let sentences = 0;
  const blocks: string[] = [];
  // A heading is written only once something under it survives: alone it says nothing.
  const headings: string[] = [];
  for (const block of answer.trim().split(/\n\s*\n/)) {
    const lines: string[] = [];
    for (const line of block.split('\n')) {
      // Headings structure the answer; they state nothing that needs a source.
      if (/^\s*#{1,6}\s/.test(line)) {
        if (lines.length) blocks.push(lines.splice(0).join('\n'));
        headings.push(line.trim());
        continue;
      }
      const bullet = line.match(/^\s*(?:[-*+]|\d+[.)])\s+/)?.[0] ?? '';
      const keptHere: string[] = [];
      for (const sentence of splitSentences(line.slice(bullet.length))) {
        sentences++;
        const ids = citedIds(sentence).filter((id) => valid.has(id));
        if (!ids.length) {
          removed.push(sentence);
          continue;
        }
        keptHere.push(sentence);
        for (const id of ids) if (!cited.includes(id)) cited.push(id);
      }
      if (!keptHere.length) continue;
      if (headings.length) blocks.push(...headings.splice(0));
      lines.push(`${bullet}${keptHere.join(' ')}`);
    }
    if (lines.length) blocks.push(lines.join('\n'));
  }
  return { text: blocks.join('\n\n'), sentences, kept: sentences - removed.length, removed, cited };
}
