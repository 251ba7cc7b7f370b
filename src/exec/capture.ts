import { StringDecoder } from 'node:string_decoder';

/**
 * Keeps the first and the last bytes of a stream and counts the rest, so a child that prints
 * gigabytes costs at most `maxBytes` of memory (plus one chunk) while the start (usually the
 * command's banner or first error) and the end (usually the summary) stay readable.
 */
export class CappedOutput {
  private readonly headCap: number;
  private readonly tailCap: number;
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  /** Total bytes seen, kept or not. */
  total = 0;

  constructor(maxBytes: number) {
    this.headCap = Math.floor(maxBytes / 2);
    this.tailCap = maxBytes - this.headCap;
  }

  get truncated(): boolean {
    return this.total > this.headCap + this.tailCap;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.headBytes < this.headCap) {
      const room = this.headCap - this.headBytes;
      // Copy a partial piece so the head does not pin the whole chunk's memory.
      const piece = rest.length <= room ? rest : Buffer.from(rest.subarray(0, room));
      this.head.push(piece);
      this.headBytes += piece.length;
      rest = rest.subarray(piece.length);
    }
    if (rest.length === 0 || this.tailCap === 0) return;
    if (rest.length >= this.tailCap) {
      this.tail = [Buffer.from(rest.subarray(rest.length - this.tailCap))];
      this.tailBytes = this.tailCap;
      return;
    }
    this.tail.push(rest);
    this.tailBytes += rest.length;
    while (this.tailBytes > this.tailCap) {
      const first = this.tail[0]!;
      const excess = this.tailBytes - this.tailCap;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailBytes -= excess;
      }
    }
  }

  /** The kept text: everything, or head + `\n…[N bytes omitted]…\n` + tail, cut on UTF-8 boundaries. */
  text(): string {
    const head = Buffer.concat(this.head);
    const tail = Buffer.concat(this.tail);
    if (!this.truncated) return Buffer.concat([head, tail]).toString('utf8');
    const keptHead = head.subarray(0, completeUtf8Prefix(head));
    const keptTail = tail.subarray(continuationBytesAtStart(tail));
    const omitted = this.total - keptHead.length - keptTail.length;
    return `${keptHead.toString('utf8')}\n…[${omitted} bytes omitted]…\n${keptTail.toString('utf8')}`;
  }
}

/** Length of `buf` without a multi-byte character cut off at its end. */
function completeUtf8Prefix(buf: Buffer): number {
  // A UTF-8 character is at most 4 bytes, so only the last 3 can start an incomplete one.
  for (let i = buf.length - 1; i >= Math.max(0, buf.length - 3); i--) {
    const byte = buf[i]!;
    if ((byte & 0xc0) === 0x80) continue;
    if (byte < 0x80) return buf.length;
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
    return buf.length - i >= need ? buf.length : i;
  }
  return buf.length;
}

/** Bytes at the start of `buf` that continue a character whose first bytes were dropped. */
function continuationBytesAtStart(buf: Buffer): number {
  let i = 0;
  while (i < buf.length && i < 3 && (buf[i]! & 0xc0) === 0x80) i++;
  return i;
}

/** Longest line handed to a callback; a longer run without a newline is passed on in pieces. */
const MAX_LINE_CHARS = 64 * 1024;

/**
 * Splits a byte stream into lines for progress callbacks. A bare `\r` also ends a line, because
 * progress bars (git, yt-dlp, curl) redraw with `\r` and never print `\n` until done.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    const text = this.pending + this.decoder.write(chunk);
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        this.emit(text.slice(start, i));
        start = i + 1;
      } else if (c === 13) {
        // A `\r` at the very end may be the first half of a `\r\n` split across chunks.
        if (i + 1 === text.length) break;
        this.emit(text.slice(start, i));
        if (text.charCodeAt(i + 1) === 10) i++;
        start = i + 1;
      }
    }
    this.pending = text.slice(start);
    while (this.pending.length > MAX_LINE_CHARS) {
      this.emit(this.pending.slice(0, MAX_LINE_CHARS));
      this.pending = this.pending.slice(MAX_LINE_CHARS);
    }
  }

  /** Hands over the last line when the stream ended without a newline. */
  end(): void {
    const rest = (this.pending + this.decoder.end()).replace(/\r$/, '');
    this.pending = '';
    if (rest.length > 0) this.emit(rest);
  }

  private emit(line: string): void {
    try {
      this.onLine(line);
    } catch {
      // A failing progress callback must not break the command it only observes.
    }
  }
}
