import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import { BosunError } from '../../core/index.js';
import { decodeText, errorDoc, formatOfPath, pageDoc, pathFilter, tooLarge } from './document.js';
import type { AcquireContext, SourceDocument } from './types.js';
import { splitVersionFolder } from './versions.js';

export interface WalkOptions {
  version: string | null;
  include?: string[];
  exclude?: string[];
  maxPages: number;
  maxPageBytes: number;
}

interface Entry {
  rel: string;
  abs: string;
  /** Set when the entry is refused before reading. */
  error?: string;
}

/** Reads every documentation file under `root` as a page, in path order. */
export async function* walkFolder(
  root: string,
  options: WalkOptions,
  ctx: AcquireContext,
): AsyncGenerator<SourceDocument> {
  const realRoot = await openRoot(root);
  const wanted = pathFilter(options.include, options.exclude);
  const entries = (await collect(realRoot, ''))
    .filter((e) => wanted(e.rel, splitVersionFolder(e.rel)?.path ?? e.rel))
    .sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0))
    .slice(0, options.maxPages);

  let done = 0;
  for (const entry of entries) {
    ctx.signal?.throwIfAborted();
    yield await readEntry(entry, options);
    ctx.onProgress?.({ done: ++done, total: entries.length, current: entry.rel });
  }
}

async function openRoot(root: string): Promise<string> {
  const stat = await fs.stat(root).catch(() => undefined);
  if (!stat) {
    throw new BosunError('NOT_FOUND', `folder not found: ${root}`, {
      hint: 'check the path, relative to the current directory',
    });
  }
  if (!stat.isDirectory()) {
    throw new BosunError('INVALID_INPUT', `not a folder: ${root}`, {
      hint: 'a local source is a folder of documentation files',
    });
  }
  return fs.realpath(root);
}

export function isInside(realRoot: string, target: string): boolean {
  const rel = path.relative(realRoot, target);
  return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

async function collect(realRoot: string, relDir: string): Promise<Entry[]> {
  const dirents: Dirent[] = await fs.readdir(path.join(realRoot, relDir), { withFileTypes: true });
  const out: Entry[] = [];
  for (const d of dirents) {
    const rel = relDir ? `${relDir}/${d.name}` : d.name;
    const abs = path.join(realRoot, rel);
    if (d.isDirectory()) {
      if (!d.name.startsWith('.') && d.name !== 'node_modules') out.push(...(await collect(realRoot, rel)));
    } else if (d.isFile()) {
      if (formatOfPath(d.name)) out.push({ rel, abs });
    } else if (d.isSymbolicLink()) {
      const entry = await symlinkEntry(realRoot, rel, abs);
      if (entry) out.push(entry);
    }
  }
  return out;
}

/**
 * A symlink is read only when it resolves inside the root. Links to folders inside the root
 * are not followed (the folder is walked where it really is, which also rules out cycles).
 */
async function symlinkEntry(realRoot: string, rel: string, abs: string): Promise<Entry | undefined> {
  const target = await fs.realpath(abs).catch(() => undefined);
  const stat = target ? await fs.stat(target).catch(() => undefined) : undefined;
  if (!target || !stat) return formatOfPath(rel) ? { rel, abs, error: 'broken symlink' } : undefined;
  if (!isInside(realRoot, target)) {
    return formatOfPath(rel) || stat.isDirectory()
      ? { rel, abs, error: `outside root: symlink to ${target}` }
      : undefined;
  }
  return stat.isFile() && formatOfPath(rel) ? { rel, abs: target } : undefined;
}

async function readEntry(entry: Entry, options: WalkOptions): Promise<SourceDocument> {
  const base = { path: entry.rel, version: options.version, format: formatOfPath(entry.rel) ?? 'text' } as const;
  return entry.error ? errorDoc(base, entry.error) : readFilePage(entry.abs, base, options.maxPageBytes);
}

/** One file as a page; size, binary and encoding problems become the page's error. */
export async function readFilePage(abs: string, base: SourceDocument, maxBytes: number): Promise<SourceDocument> {
  try {
    const { size } = await fs.stat(abs);
    if (size > maxBytes) return errorDoc(base, tooLarge(size, maxBytes));
    const decoded = decodeText(await fs.readFile(abs));
    return 'error' in decoded ? errorDoc(base, decoded.error) : pageDoc(base, decoded.content);
  } catch (err) {
    return errorDoc(base, `unreadable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
