import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError } from '../../core/index.js';
import type { DocumentKind } from './types.js';

/**
 * What a file is, from its first bytes (never its name), and for images their pixel size read
 * from the header: a 50,000 × 50,000 PNG is refused here, before any tool decodes it.
 */
export interface ImageHeader {
  kind: Exclude<DocumentKind, 'pdf'>;
  /** Width and height of each image in the file (a TIFF may hold several pages). */
  frames: { width: number; height: number }[];
}

const HEAD_BYTES = 256 * 1024;

/** The first bytes decide; the file's name is only used in messages. */
export async function sniffKind(file: string): Promise<DocumentKind> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat) throw new BosunError('NOT_FOUND', `file not found: ${file}`, { details: { retryable: false } });
  if (!stat.isFile()) throw new BosunError('INVALID_INPUT', `not a file: ${file}`, { details: { retryable: false } });
  if (stat.size === 0) {
    throw new BosunError('DOCUMENT_EMPTY', `${path.basename(file)} is empty (0 bytes)`, {
      details: { retryable: false, file },
    });
  }
  const head = await readHead(file, 16);
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  const tiff = head.subarray(0, 4).toString('latin1');
  if (tiff === 'II*\0' || tiff === 'MM\0*') return 'tiff';
  throw new BosunError('UNSUPPORTED', `${path.basename(file)} is not a PDF, PNG, JPEG or TIFF file`, {
    hint: 'convert it to PDF or PNG first',
    details: { retryable: false, file },
  });
}

async function readHead(file: string, bytes: number, offset = 0): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function corrupt(file: string, what: string): BosunError {
  return new BosunError('DOCUMENT_CORRUPT', `${path.basename(file)} is damaged: ${what}`, {
    details: { retryable: false, file },
  });
}

export async function readImageHeader(file: string, kind: ImageHeader['kind']): Promise<ImageHeader> {
  const head = await readHead(file, HEAD_BYTES);
  switch (kind) {
    case 'png':
      if (head.length < 24 || head.subarray(12, 16).toString('latin1') !== 'IHDR') throw corrupt(file, 'no PNG header');
      return { kind, frames: [{ width: head.readUInt32BE(16), height: head.readUInt32BE(20) }] };
    case 'jpeg':
      return { kind, frames: [jpegSize(file, head)] };
    case 'tiff':
      return { kind, frames: await tiffSizes(file) };
  }
}

/** Walks the JPEG segments to the first start-of-frame marker, which holds the size. */
function jpegSize(file: string, head: Buffer): { width: number; height: number } {
  let at = 2;
  while (at + 9 < head.length) {
    if (head[at] !== 0xff) throw corrupt(file, 'bad JPEG segment');
    const marker = head[at + 1]!;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) return { height: head.readUInt16BE(at + 5), width: head.readUInt16BE(at + 7) };
    at += 2 + head.readUInt16BE(at + 2);
  }
  throw corrupt(file, `no JPEG frame header in the first ${HEAD_BYTES / 1024} KiB`);
}

/** Every image file directory of a TIFF: tags 256 (width) and 257 (height). */
async function tiffSizes(file: string): Promise<{ width: number; height: number }[]> {
  const handle = await fs.open(file, 'r');
  try {
    const read = async (offset: number, bytes: number) => {
      const buf = Buffer.alloc(bytes);
      const { bytesRead } = await handle.read(buf, 0, bytes, offset);
      if (bytesRead < bytes) throw corrupt(file, 'TIFF directory beyond the end of the file');
      return buf;
    };
    const header = await read(0, 8);
    const le = header.toString('latin1', 0, 2) === 'II';
    const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const frames: { width: number; height: number }[] = [];
    let offset = u32(header, 4);
    const seen = new Set<number>();
    while (offset !== 0) {
      if (seen.has(offset) || frames.length > 10_000) throw corrupt(file, 'TIFF directories form a loop');
      seen.add(offset);
      const count = u16(await read(offset, 2), 0);
      const entries = await read(offset + 2, count * 12 + 4);
      let width = 0;
      let height = 0;
      for (let i = 0; i < count; i++) {
        const e = i * 12;
        const tag = u16(entries, e);
        const value = u16(entries, e + 2) === 3 ? u16(entries, e + 8) : u32(entries, e + 8);
        if (tag === 256) width = value;
        if (tag === 257) height = value;
      }
      if (!width || !height) throw corrupt(file, 'a TIFF page has no size');
      frames.push({ width, height });
      offset = u32(entries, count * 12);
    }
    if (!frames.length) throw corrupt(file, 'the TIFF has no pages');
    return frames;
  } finally {
    await handle.close();
  }
}

/** Refuses an image whose decoded size would pass the cap. */
export function assertPixels(file: string, width: number, height: number, maxPixels: number, what = 'the image'): void {
  if (width * height > maxPixels) {
    throw new BosunError(
      'DOCUMENT_TOO_LARGE',
      `${path.basename(file)}: ${what} is ${width} × ${height} pixels (${(width * height).toLocaleString('en')}), over the cap of ${maxPixels.toLocaleString('en')}`,
      { hint: 'scale it down, or raise max_pixels', details: { retryable: false, file } },
    );
  }
}
