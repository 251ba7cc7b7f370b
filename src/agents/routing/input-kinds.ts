import path from 'node:path';
import type { InputKind } from '../manifest/schema.js';

/** Something in a task's inputs (or a URL or file named in its text) that routing recognised. */
export interface DetectedInput {
  kind: InputKind;
  value: string;
  /** How a reason names it: "a youtube.com URL", "a PDF (invoice.pdf)". */
  label: string;
}

const YOUTUBE_HOSTS = new Set(['youtube.com', 'youtu.be', 'youtube-nocookie.com', 'music.youtube.com']);

const byExtension: Record<string, { kind: InputKind; noun: string }> = {
  '.pdf': { kind: 'pdf', noun: 'a PDF' },
  '.png': { kind: 'image', noun: 'an image' },
  '.jpg': { kind: 'image', noun: 'an image' },
  '.jpeg': { kind: 'image', noun: 'an image' },
  '.gif': { kind: 'image', noun: 'an image' },
  '.webp': { kind: 'image', noun: 'an image' },
  '.tif': { kind: 'image', noun: 'an image' },
  '.tiff': { kind: 'image', noun: 'an image' },
  '.bmp': { kind: 'image', noun: 'an image' },
  '.mp3': { kind: 'audio', noun: 'an audio file' },
  '.wav': { kind: 'audio', noun: 'an audio file' },
  '.m4a': { kind: 'audio', noun: 'an audio file' },
  '.flac': { kind: 'audio', noun: 'an audio file' },
  '.mp4': { kind: 'video', noun: 'a video file' },
  '.mkv': { kind: 'video', noun: 'a video file' },
  '.webm': { kind: 'video', noun: 'a video file' },
  '.mov': { kind: 'video', noun: 'a video file' },
  '.py': { kind: 'python-file', noun: 'a .py file' },
  '.ipynb': { kind: 'notebook', noun: 'a notebook' },
  '.sql': { kind: 'sql-file', noun: 'a .sql file' },
  '.cu': { kind: 'cuda-file', noun: 'a .cu file' },
  '.cuh': { kind: 'cuda-file', noun: 'a .cu file' },
  '.csv': { kind: 'tabular-file', noun: 'a data file' },
  '.tsv': { kind: 'tabular-file', noun: 'a data file' },
  '.parquet': { kind: 'tabular-file', noun: 'a data file' },
  '.xlsx': { kind: 'tabular-file', noun: 'a data file' },
};

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'`)\]]+/g;
const FILE_IN_TEXT =
  /(?:^|[\s(`'"])((?:[\w.~-]+\/)*[\w.-]+\.(?:pdf|png|jpe?g|gif|webp|tiff?|bmp|mp3|wav|m4a|flac|mp4|mkv|webm|mov|py|ipynb|sql|cuh?|csv|tsv|parquet|xlsx))(?=$|[\s,.;:)`'"])/gi;

function classifyUrl(raw: string): DetectedInput | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const host = url.hostname.replace(/^(www|m)\./, '');
  if (YOUTUBE_HOSTS.has(host)) return { kind: 'youtube-url', value: raw, label: `a ${host} URL` };
  const file = byExtension[path.extname(url.pathname).toLowerCase()];
  if (file) return { kind: file.kind, value: raw, label: `${file.noun} (${path.basename(url.pathname)})` };
  return { kind: 'web-url', value: raw, label: `a web URL (${host})` };
}

function classifyPath(raw: string): DetectedInput | null {
  if (raw.length > 1024 || /[\n\r]/.test(raw)) return null;
  const file = byExtension[path.extname(raw).toLowerCase()];
  return file ? { kind: file.kind, value: raw, label: `${file.noun} (${path.basename(raw)})` } : null;
}

function classifyValue(value: string): DetectedInput | null {
  return /^https?:\/\//i.test(value) ? classifyUrl(value.trim()) : classifyPath(value.trim());
}

/** Every string in the inputs, however nested (to a sane depth). */
function* strings(value: unknown, depth = 0): Generator<string> {
  if (depth > 6) return;
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const v of value) yield* strings(v, depth + 1);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) yield* strings(v, depth + 1);
}

/**
 * The input kinds of a task: each input value, and each URL or file name written in its title or
 * description. One entry per kind (the first value seen names it).
 */
export function detectInputs(task: {
  title: string;
  description?: string;
  inputs: Record<string, unknown>;
}): DetectedInput[] {
  const found = new Map<InputKind, DetectedInput>();
  const add = (d: DetectedInput | null) => {
    if (d && !found.has(d.kind)) found.set(d.kind, d);
  };
  for (const s of strings(task.inputs)) add(classifyValue(s));
  const text = `${task.title}\n${task.description ?? ''}`;
  for (const m of text.matchAll(URL_IN_TEXT)) add(classifyUrl(m[0].replace(/[.,;:!?]+$/, '')));
  for (const m of text.matchAll(FILE_IN_TEXT)) add(classifyPath(m[1]!));
  return [...found.values()];
}
