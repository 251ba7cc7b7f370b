import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError } from '../../../core/index.js';
import {
  artifactFromFile,
  completedEnvelope,
  failedEnvelope,
  type Artifact,
  type ResultEnvelope,
} from '../../envelope.js';
import type { AgentContext, AgentExecutor } from '../../runtime/types.js';
import { alignChapters, formatTime, type AlignedChapter } from './chapters.js';
import { summaryMarkdown, transcriptMarkdown } from './markdown.js';
import { transcribeSpeech } from './speech.js';
import { chatSummary, extractiveSummary } from './summary.js';
import { cuesToSegments, parseVtt, type Segment } from './vtt.js';
import { downloadCaptions, fetchVideoInfo, pickCaptionTrack, type VideoInfo, type VideoMetadata } from './ytdlp.js';

/**
 * The YouTube agent (any site yt-dlp reads, in fact): youtube.metadata, youtube.transcript and
 * youtube.summary. Input fields are those of agents/youtube.yaml, validated before run().
 */
interface YoutubeInput {
  url: string;
  languages: string[];
  sentencesPerChapter: number;
}

type TranscriptSource = 'manual-captions' | 'automatic-captions' | 'speech-to-text';

interface Transcript {
  source: TranscriptSource;
  language: string | null;
  segments: Segment[];
  /** The WebVTT file used, when captions were. */
  captionsFile: string | null;
}

/** yt-dlp's info file and downloaded audio stay out of the artifacts. */
const internalDir = (ctx: AgentContext) => path.join(ctx.workDir, '.youtube');

function describeVideo(m: VideoMetadata): string {
  const by = m.channel ? ` by ${m.channel}` : '';
  const length = m.duration !== null ? `, ${formatTime(m.duration)}` : '';
  const chapters = m.chapters.length ? `, ${m.chapters.length} chapters` : '';
  return `“${m.title}”${by}${length}${chapters}`;
}

async function writeArtifact(ctx: AgentContext, name: string, content: string, mediaType: string): Promise<Artifact> {
  const file = path.join(ctx.workDir, name);
  await fs.writeFile(file, content);
  return artifactFromFile(file, mediaType);
}

/** Captions first (manual, then automatic), else speech to text when an endpoint is configured, else null. */
async function findTranscript(ctx: AgentContext, info: VideoInfo, languages: string[]): Promise<Transcript | null> {
  const track = pickCaptionTrack(info, languages);
  if (track) {
    ctx.progress({ message: `downloading ${track.kind} captions (${track.language})` });
    const file = await downloadCaptions(ctx, info, track, ctx.workDir);
    let segments: Segment[];
    try {
      segments = cuesToSegments(parseVtt(await fs.readFile(file, 'utf8')));
    } catch (err) {
      throw new BosunError(
        'CAPTIONS_INVALID',
        `the ${track.language} captions are not readable WebVTT: ${(err as Error).message}`,
        { details: { retryable: false } },
      );
    }
    if (segments.length) {
      return {
        source: track.kind === 'manual' ? 'manual-captions' : 'automatic-captions',
        language: track.language,
        segments,
        captionsFile: file,
      };
    }
    ctx.logger.info({ language: track.language }, 'the captions are empty');
  }
  if (!ctx.endpoints.transcriptionUrl) return null;
  const speech = await transcribeSpeech(ctx, info, internalDir(ctx), languages[0]);
  return { source: 'speech-to-text', language: speech.language, segments: speech.segments, captionsFile: null };
}

/**
 * No captions and no transcription endpoint is a final answer, not a glitch: the run fails
 * without retry, says how to get a transcript, and still returns the metadata it read.
 */
function noTranscript(info: VideoInfo, languages: string[]): ResultEnvelope {
  const offered = [...info.metadata.captions.manual, ...info.metadata.captions.automatic];
  const why = offered.length
    ? `no captions in ${languages.join(', ')} (offered: ${offered.join(', ')})`
    : 'the video has no captions';
  return failedEnvelope(
    {
      code: 'NO_TRANSCRIPT',
      message: `no transcript available: ${why}, and no transcription endpoint is configured (set endpoints.transcriptionUrl to an OpenAI-compatible server)`,
      retryable: false,
    },
    { outputs: { metadata: info.metadata, transcript: null } },
  );
}

function sourceLine(t: Transcript): string {
  const from = {
    'manual-captions': 'manual captions',
    'automatic-captions': 'automatic captions',
    'speech-to-text': 'speech to text',
  }[t.source];
  return `_Transcript from ${from}${t.language ? ` (${t.language})` : ''}._`;
}

function transcriptOutputs(t: Transcript, chapters: AlignedChapter[]) {
  return {
    source: t.source,
    language: t.language,
    segments: t.segments,
    chapters: chapters.map((c) => ({
      title: c.title,
      start: c.start,
      end: c.end,
      text: c.segments.map((s) => s.text).join(' '),
    })),
    text: t.segments.map((s) => s.text).join(' '),
  };
}

async function metadataSkill(ctx: AgentContext, input: YoutubeInput): Promise<ResultEnvelope> {
  const info = await fetchVideoInfo(ctx, input.url, internalDir(ctx));
  const artifact = await writeArtifact(
    ctx,
    'metadata.json',
    JSON.stringify(info.metadata, null, 2),
    'application/json',
  );
  return completedEnvelope({
    summary: describeVideo(info.metadata),
    outputs: { metadata: info.metadata },
    artifacts: [artifact],
    metrics: {
      chapters: info.metadata.chapters.length,
      ...(info.metadata.duration !== null ? { videoSeconds: info.metadata.duration } : {}),
    },
  });
}

async function transcriptSkill(ctx: AgentContext, input: YoutubeInput, withSummary: boolean): Promise<ResultEnvelope> {
  ctx.progress({ message: 'reading the video page', fraction: 0 });
  const info = await fetchVideoInfo(ctx, input.url, internalDir(ctx));
  const transcript = await findTranscript(ctx, info, input.languages);
  if (!transcript) return noTranscript(info, input.languages);
  const m = info.metadata;
  const chapters = alignChapters(transcript.segments, m.chapters, m.duration);
  const artifacts = [
    await writeArtifact(ctx, 'metadata.json', JSON.stringify(m, null, 2), 'application/json'),
    await writeArtifact(ctx, 'transcript.md', transcriptMarkdown(m, chapters, sourceLine(transcript)), 'text/markdown'),
    await writeArtifact(
      ctx,
      'transcript.json',
      JSON.stringify(transcriptOutputs(transcript, chapters), null, 2),
      'application/json',
    ),
    ...(transcript.captionsFile ? [await artifactFromFile(transcript.captionsFile, 'text/vtt')] : []),
  ];
  const words = transcript.segments.reduce((n, s) => n + s.text.split(/\s+/).filter(Boolean).length, 0);
  const metrics = { segments: transcript.segments.length, words, chapters: m.chapters.length };
  if (!withSummary) {
    return completedEnvelope({
      summary: `transcript of ${describeVideo(m)}: ${words} words from ${transcript.source.replace(/-/g, ' ')}`,
      outputs: { metadata: m, transcript: transcriptOutputs(transcript, chapters) },
      artifacts,
      metrics,
    });
  }
  ctx.progress({ message: 'summarising', fraction: 0.8 });
  const summary = ctx.endpoints.chatUrl
    ? await chatSummary(ctx.endpoints, m, chapters, ctx.signal)
    : extractiveSummary(chapters, input.sentencesPerChapter);
  artifacts.push(await writeArtifact(ctx, 'summary.md', summaryMarkdown(m, summary), 'text/markdown'));
  return completedEnvelope({
    summary: `${summary.method} summary of ${describeVideo(m)}`,
    outputs: {
      metadata: m,
      transcript: { source: transcript.source, language: transcript.language },
      summary: { method: summary.method, model: summary.model, chapters: summary.chapters, text: summary.text },
    },
    artifacts,
    metrics: { ...metrics, promptTokens: summary.promptTokens, completionTokens: summary.completionTokens },
  });
}

export const youtubeAgent: AgentExecutor = {
  async run(ctx) {
    const input = ctx.input as unknown as YoutubeInput;
    switch (ctx.skillId) {
      case 'youtube.metadata':
        return metadataSkill(ctx, input);
      case 'youtube.transcript':
        return transcriptSkill(ctx, input, false);
      case 'youtube.summary':
        return transcriptSkill(ctx, input, true);
      default:
        throw new BosunError('INVALID_INPUT', `the youtube agent has no skill '${ctx.skillId}'`, {
          details: { retryable: false },
        });
    }
  },
  // The same video gives a different transcript or summary once an endpoint is configured.
  async cacheFingerprint(ctx) {
    const e = ctx.endpoints;
    const transcription = e.transcriptionUrl ? { url: e.transcriptionUrl, model: e.transcriptionModel ?? null } : null;
    if (ctx.skillId === 'youtube.transcript') return { transcription };
    if (ctx.skillId === 'youtube.summary')
      return { transcription, chat: e.chatUrl ? { url: e.chatUrl, model: e.chatModel ?? null } : null };
    return undefined;
  },
};
