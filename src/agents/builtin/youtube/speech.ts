import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError } from '../../../core/index.js';
import { apiKeyOf, transcribeAudio } from '../../endpoints/openai.js';
import type { AgentContext } from '../../runtime/types.js';
import type { Segment } from './vtt.js';
import { downloadMedia, type VideoInfo } from './ytdlp.js';

/**
 * Speech to text for a video without captions: yt-dlp fetches the audio, ffmpeg turns it into
 * small mono MP3 chunks (servers cap uploads, OpenAI at 25 MB; ten minutes at 32 kbit/s is
 * about 2.4 MB), and each chunk goes to the OpenAI-compatible /v1/audio/transcriptions
 * endpoint. Chunk times are added back so the segments are on the video's clock.
 */
const CHUNK_SECONDS = 600;

interface Chunk {
  file: string;
  start: number;
}

async function splitAudio(ctx: AgentContext, media: string, dir: string): Promise<Chunk[]> {
  const list = path.join(dir, 'chunks.csv');
  const result = await ctx.exec.runCommand(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-i',
      media,
      '-vn',
      '-ac',
      '1',
      '-ar',
      '16000',
      '-c:a',
      'libmp3lame',
      '-b:a',
      '32k',
      '-f',
      'segment',
      '-segment_time',
      String(CHUNK_SECONDS),
      '-reset_timestamps',
      '1',
      '-segment_list',
      list,
      '-segment_list_type',
      'csv',
      path.join(dir, 'chunk-%03d.mp3'),
    ],
    { cwd: dir, timeoutMs: ctx.timeoutMs, signal: ctx.signal },
  );
  if (!result.ok) {
    throw new BosunError(
      'AUDIO_FAILED',
      `ffmpeg could not extract the audio: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`,
      {
        details: { retryable: false },
      },
    );
  }
  // Each line: file name, start time, end time (seconds).
  const rows = ctx.exec.parseCsv(await fs.readFile(list, 'utf8'), { header: false });
  return rows.map((row) => ({ file: path.join(dir, row[0]!), start: Number(row[1]) }));
}

export interface SpeechTranscript {
  segments: Segment[];
  language: string | null;
  model: string;
}

export async function transcribeSpeech(
  ctx: AgentContext,
  info: VideoInfo,
  dir: string,
  language: string | undefined,
): Promise<SpeechTranscript> {
  const baseUrl = ctx.endpoints.transcriptionUrl;
  if (!baseUrl) throw new BosunError('INTERNAL', 'transcribeSpeech needs endpoints.transcriptionUrl');
  if (!(await ctx.exec.which('ffmpeg'))) {
    throw new BosunError(
      'TOOL_MISSING',
      'the video has no captions and ffmpeg, needed to prepare its audio, is missing',
      {
        hint: 'apt-get install -y ffmpeg',
        details: { retryable: false },
      },
    );
  }
  const model = ctx.endpoints.transcriptionModel ?? 'whisper-1';
  ctx.progress({ message: 'downloading the audio' });
  const media = await downloadMedia(ctx, info, dir);
  try {
    const chunks = await splitAudio(ctx, media, dir);
    const segments: Segment[] = [];
    let detected: string | null = null;
    for (const [i, chunk] of chunks.entries()) {
      ctx.progress({ message: `transcribing audio ${i + 1}/${chunks.length}`, fraction: i / chunks.length });
      const result = await transcribeAudio({
        baseUrl,
        apiKey: apiKeyOf(ctx.endpoints),
        model,
        audio: await fs.readFile(chunk.file),
        fileName: path.basename(chunk.file),
        mediaType: 'audio/mpeg',
        ...(language ? { language } : {}),
        signal: ctx.signal,
      });
      detected ??= result.language;
      for (const s of result.segments) {
        const text = s.text.trim();
        if (text) segments.push({ start: chunk.start + s.start, end: chunk.start + s.end, text });
      }
    }
    return { segments, language: detected ?? language ?? null, model };
  } finally {
    // Audio can be large and is not a result: only the transcript is kept.
    for (const name of await fs.readdir(dir)) {
      if (name.startsWith('chunk-') || name.startsWith('media.') || name === 'chunks.csv')
        await fs.rm(path.join(dir, name), { force: true });
    }
  }
}
