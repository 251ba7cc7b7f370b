import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { BosunError, formatZodIssues } from '../../../core/index.js';
import { DEFAULT_ENV_ALLOWLIST } from '../../../exec/index.js';
import type { AgentContext } from '../../runtime/types.js';
import { chaptersFromDescription, type Chapter } from './chapters.js';

/** Everything the YouTube agent asks of yt-dlp, and what its failures mean. */

/** No user config file may change what we get; one video, never a whole playlist. */
const BASE_ARGS = ['--no-config', '--no-playlist', '--no-progress', '--socket-timeout', '30'];
/** Proxies are how some networks reach YouTube at all. */
const ENV_ALLOWLIST = [
  ...DEFAULT_ENV_ALLOWLIST,
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
];
const MAX_INFO_BYTES = 32 * 1024 * 1024;

const trackSchema = z.array(z.object({ ext: z.string().optional(), url: z.string().optional() }).passthrough());
const ytdlpInfoSchema = z
  .object({
    _type: z.string().optional(),
    id: z.string(),
    title: z.string().nullish(),
    description: z.string().nullish(),
    duration: z.number().nullish(),
    channel: z.string().nullish(),
    uploader: z.string().nullish(),
    channel_url: z.string().nullish(),
    uploader_url: z.string().nullish(),
    upload_date: z.string().nullish(),
    webpage_url: z.string().nullish(),
    extractor_key: z.string().nullish(),
    chapters: z
      .array(z.object({ title: z.string().nullish(), start_time: z.number(), end_time: z.number().nullish() }))
      .nullish(),
    subtitles: z.record(trackSchema).nullish(),
    automatic_captions: z.record(trackSchema).nullish(),
  })
  .passthrough();

export interface VideoMetadata {
  id: string;
  url: string;
  title: string;
  channel: string | null;
  channelUrl: string | null;
  /** Seconds, when the site says. */
  duration: number | null;
  uploadDate: string | null;
  description: string | null;
  chapters: Chapter[];
  /** Where the chapters came from: the site's own data or timestamps in the description. */
  chaptersSource: 'site' | 'description' | null;
  captions: { manual: string[]; automatic: string[] };
  extractor: string | null;
}

export interface VideoInfo {
  metadata: VideoMetadata;
  /** yt-dlp's own JSON, kept for --load-info-json so later steps do not fetch the page again. */
  infoFile: string;
  subtitles: Record<string, z.infer<typeof trackSchema>>;
  automaticCaptions: Record<string, z.infer<typeof trackSchema>>;
}

/** Turns yt-dlp's ERROR lines into a code, a message and whether a retry can help. */
export function classifyYtdlpError(stderr: string): { code: string; message: string; retryable: boolean } {
  const errors = stderr.split('\n').filter((l) => l.startsWith('ERROR:'));
  const message = (errors.at(-1) ?? stderr.trim().split('\n').at(-1) ?? 'yt-dlp failed')
    .replace(/^ERROR:\s*/, '')
    .replace(/;\s*please report this issue.*$/s, '')
    .trim();
  if (
    /Private video|Video unavailable|This video is (?:unavailable|private)|has been removed|members-only|Sign in to confirm|account .* terminated|HTTP Error (?:401|403|404|410)/i.test(
      message,
    )
  ) {
    return { code: 'VIDEO_UNAVAILABLE', message: `the video is unavailable: ${message}`, retryable: false };
  }
  if (/Unsupported URL|no video formats found|No video could be found/i.test(message)) {
    return { code: 'NO_VIDEO_FOUND', message: `no video at that address: ${message}`, retryable: false };
  }
  if (/is not a valid URL/i.test(message)) return { code: 'INVALID_INPUT', message, retryable: false };
  if (
    /HTTP Error (?:429|5\d\d)|timed out|Connection (?:refused|reset)|Temporary failure|Name or service not known|Network is unreachable|urlopen error|Read timed out/i.test(
      message,
    )
  ) {
    return { code: 'NETWORK_ERROR', message: `could not reach the video: ${message}`, retryable: true };
  }
  return { code: 'YTDLP_FAILED', message: `yt-dlp failed: ${message}`, retryable: false };
}

async function ytdlp(ctx: AgentContext, args: string[], what: string, maxOutputBytes = 1024 * 1024) {
  const result = await ctx.exec.runCommand('yt-dlp', [...BASE_ARGS, ...args], {
    cwd: ctx.workDir,
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    envAllowlist: ENV_ALLOWLIST,
    maxOutputBytes,
    onStderrLine: (line) => ctx.logger.debug({ tool: 'yt-dlp' }, line),
  });
  if (result.ok) return result;
  if (result.timedOut || result.aborted)
    throw new BosunError('EXEC_TIMEOUT', `yt-dlp stopped while ${what}`, { details: { retryable: true } });
  const failure = classifyYtdlpError(result.stderr);
  throw new BosunError(failure.code, failure.message, { details: { retryable: failure.retryable, step: what } });
}

function formatUploadDate(raw: string | null | undefined): string | null {
  const m = raw ? /^(\d{4})(\d{2})(\d{2})$/.exec(raw) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

const languagesOf = (tracks: Record<string, unknown>) =>
  Object.keys(tracks)
    .filter((l) => l !== 'live_chat')
    .sort();

/** `yt-dlp --dump-single-json --skip-download`: the metadata, and the caption tracks on offer. */
export async function fetchVideoInfo(ctx: AgentContext, url: string, dir: string): Promise<VideoInfo> {
  const result = await ytdlp(
    ctx,
    ['--dump-single-json', '--skip-download', url],
    'reading the video page',
    MAX_INFO_BYTES,
  );
  if (result.stdoutTruncated)
    throw new BosunError('YTDLP_FAILED', 'yt-dlp printed more metadata than Bosun reads', {
      details: { retryable: false },
    });
  const raw: unknown = ctx.exec.parseJsonOutput(result.stdout, 'yt-dlp metadata');
  const parsed = ytdlpInfoSchema.safeParse(raw);
  if (!parsed.success) {
    throw new BosunError('YTDLP_FAILED', `unexpected metadata from yt-dlp: ${formatZodIssues(parsed.error)}`, {
      details: { retryable: false },
    });
  }
  const info = parsed.data;
  if (info._type === 'playlist') {
    throw new BosunError(
      'INVALID_INPUT',
      `${url} is a playlist or a page with several videos: give the URL of one video`,
      { details: { retryable: false } },
    );
  }
  await fs.mkdir(dir, { recursive: true });
  const infoFile = path.join(dir, 'info.json');
  await fs.writeFile(infoFile, result.stdout);
  const siteChapters = (info.chapters ?? []).map((c, i) => ({
    title: c.title?.trim() || `Chapter ${i + 1}`,
    start: c.start_time,
    end: c.end_time ?? null,
  }));
  const described = siteChapters.length ? [] : chaptersFromDescription(info.description ?? null);
  const subtitles = info.subtitles ?? {};
  const automaticCaptions = info.automatic_captions ?? {};
  return {
    infoFile,
    subtitles,
    automaticCaptions,
    metadata: {
      id: info.id,
      url: info.webpage_url ?? url,
      title: info.title ?? info.id,
      channel: info.channel ?? info.uploader ?? null,
      channelUrl: info.channel_url ?? info.uploader_url ?? null,
      duration: info.duration ?? null,
      uploadDate: formatUploadDate(info.upload_date),
      description: info.description ?? null,
      chapters: siteChapters.length ? siteChapters : described,
      chaptersSource: siteChapters.length ? 'site' : described.length ? 'description' : null,
      captions: { manual: languagesOf(subtitles), automatic: languagesOf(automaticCaptions) },
      extractor: info.extractor_key ?? null,
    },
  };
}

export interface CaptionTrack {
  language: string;
  kind: 'manual' | 'automatic';
}

/**
 * The captions to use: manual before automatic, and within each the requested languages in
 * order (exact code first, then regional variants such as en-GB). Only tracks offered as WebVTT.
 */
export function pickCaptionTrack(
  info: Pick<VideoInfo, 'subtitles' | 'automaticCaptions'>,
  languages: string[],
): CaptionTrack | null {
  const kinds = [
    ['manual', info.subtitles],
    ['automatic', info.automaticCaptions],
  ] as const;
  for (const [kind, tracks] of kinds) {
    const offered = Object.keys(tracks).filter((l) => l !== 'live_chat' && tracks[l]!.some((f) => f.ext === 'vtt'));
    for (const wanted of languages) {
      const exact = offered.find((l) => l === wanted || l === `${wanted}-orig`);
      const regional = offered.filter((l) => l.startsWith(`${wanted}-`)).sort()[0];
      const language = exact ?? regional;
      if (language) return { language, kind };
    }
  }
  return null;
}

/** Downloads one caption track as WebVTT next to the info file; returns its path. */
export async function downloadCaptions(
  ctx: AgentContext,
  info: VideoInfo,
  track: CaptionTrack,
  dir: string,
): Promise<string> {
  await ytdlp(
    ctx,
    [
      '--load-info-json',
      info.infoFile,
      '--skip-download',
      track.kind === 'manual' ? '--write-subs' : '--write-auto-subs',
      '--sub-format',
      'vtt',
      '--sub-langs',
      track.language,
      '-P',
      dir,
      '-o',
      'captions',
    ],
    'downloading captions',
  );
  const file = path.join(dir, `captions.${track.language}.vtt`);
  await fs.access(file).catch(() => {
    throw new BosunError('YTDLP_FAILED', `yt-dlp wrote no ${track.language} captions`, {
      details: { retryable: false },
    });
  });
  return file;
}

/** Downloads the best audio (or the whole video when audio alone is not offered); returns its path. */
export async function downloadMedia(ctx: AgentContext, info: VideoInfo, dir: string): Promise<string> {
  const result = await ytdlp(
    ctx,
    [
      '--load-info-json',
      info.infoFile,
      '-f',
      'bestaudio/best',
      '-P',
      dir,
      '-o',
      'media.%(ext)s',
      '--no-simulate',
      '--print',
      'after_move:filepath',
    ],
    'downloading the audio',
  );
  const file = result.stdout.trim().split('\n').at(-1) ?? '';
  await fs.access(file).catch(() => {
    throw new BosunError('YTDLP_FAILED', 'yt-dlp did not report where it saved the audio', {
      details: { retryable: false },
    });
  });
  return file;
}
