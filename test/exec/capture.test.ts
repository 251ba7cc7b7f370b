import { describe, it, expect } from 'vitest';
import { CappedOutput, LineSplitter } from '../../src/exec/capture.js';

function capture(max: number, ...chunks: (string | Buffer)[]): CappedOutput {
  const out = new CappedOutput(max);
  for (const c of chunks) out.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return out;
}

describe('CappedOutput', () => {
  it('keeps everything up to the cap', () => {
    const out = capture(10, 'abc', 'defgh', 'ij');
    expect([out.text(), out.total, out.truncated]).toEqual(['abcdefghij', 10, false]);
  });

  it('keeps head and tail across chunk boundaries and counts what it dropped', () => {
    const out = capture(8, 'ab', 'cdefgh', 'ijkl', 'mnop', 'qr');
    expect(out.truncated).toBe(true);
    expect(out.total).toBe(18);
    expect(out.text()).toBe('abcd\n…[10 bytes omitted]…\nopqr');
  });

  it('never cuts a UTF-8 character in half', () => {
    // 'é' is 2 bytes, '€' 3: the cap falls inside both.
    const out = capture(6, 'aaé', 'x'.repeat(20), '€b');
    const text = out.text();
    expect(text).toBe('aa\n…[25 bytes omitted]…\nb');
    expect(text).not.toContain('\uFFFD');
  });

  it('captures nothing with a cap of 0 but still counts', () => {
    const out = capture(0, 'abc');
    expect([out.total, out.truncated, out.text()]).toEqual([3, true, '\n…[3 bytes omitted]…\n']);
  });
});

describe('LineSplitter', () => {
  function split(...chunks: (string | Buffer)[]): string[] {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    for (const c of chunks) s.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
    s.end();
    return lines;
  }

  it('splits on \\n, \\r\\n and \\r, also across chunks', () => {
    expect(split('a\nb', 'c\r', '\nd\r', 'e\n\nf')).toEqual(['a', 'bc', 'd', 'e', '', 'f']);
  });

  it('decodes characters split across chunks', () => {
    const euro = Buffer.from('€\n');
    expect(split(euro.subarray(0, 1), euro.subarray(1))).toEqual(['€']);
  });

  it('hands over an endless line in pieces and survives a throwing callback', () => {
    const lines: number[] = [];
    const s = new LineSplitter((l) => {
      lines.push(l.length);
      throw new Error('callback bug');
    });
    s.push(Buffer.alloc(150 * 1024, 'x'));
    s.end();
    expect(lines).toEqual([64 * 1024, 64 * 1024, 22 * 1024]);
  });
});
