import { describe, it, expect } from 'vitest';
import { BosunError } from '../../src/core/index.js';
import { parseCsv, parseJsonOutput, parseTsv } from '../../src/exec/index.js';

function thrown(fn: () => unknown): BosunError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BosunError);
    return err as BosunError;
  }
  throw new Error('expected a BosunError');
}

describe('parseJsonOutput', () => {
  it('parses JSON', () => {
    expect(parseJsonOutput<{ a: number[] }>('{"a":[1,2]}\n')).toEqual({ a: [1, 2] });
  });

  it('explains bad JSON, naming what was parsed', () => {
    const err = thrown(() => parseJsonOutput('{"a": nope}', 'yt-dlp metadata'));
    expect(err.code).toBe('EXEC_FAILED');
    expect(err.message).toContain('yt-dlp metadata is not valid JSON');
    expect(err.message).toContain('{"a": nope}');
    expect(thrown(() => parseJsonOutput('  \n')).message).toContain('empty');
  });

  it('accepts a JSON last line after log lines only when asked', () => {
    const text = 'downloading…\n[info] done\n{"ok":true}\n';
    expect(parseJsonOutput(text, 'output', { lastLine: true })).toEqual({ ok: true });
    expect(thrown(() => parseJsonOutput(text)).code).toBe('EXEC_FAILED');
    expect(thrown(() => parseJsonOutput('log\nnot json', 'output', { lastLine: true })).code).toBe('EXEC_FAILED');
  });
});

describe('parseCsv', () => {
  it('returns records keyed by the header, with quoted fields', () => {
    const text = 'name,notes\n"Smith, J","said ""hi""\nthen left"\nDoe,\n';
    expect(parseCsv(text)).toEqual([
      { name: 'Smith, J', notes: 'said "hi"\nthen left' },
      { name: 'Doe', notes: '' },
    ]);
  });

  it('returns rows without a header, with another delimiter and trimming', () => {
    expect(parseCsv('a;b\n1;2\n', { header: false, delimiter: ';' })).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(parseCsv('name, memory.total [MiB]\nH200, 143771 MiB\n', { trim: true })).toEqual([
      { name: 'H200', 'memory.total [MiB]': '143771 MiB' },
    ]);
  });

  it('rejects malformed CSV and bad options', () => {
    expect(thrown(() => parseCsv('a,b\n1,2,3\n')).code).toBe('EXEC_FAILED');
    expect(thrown(() => parseCsv('a\n"unclosed\n')).message).toContain('not valid CSV');
    expect(thrown(() => parseCsv('a', { delimiter: ';;' })).code).toBe('INVALID_INPUT');
  });
});

describe('parseTsv', () => {
  it('splits on tabs and treats quotes as ordinary characters', () => {
    expect(parseTsv('id\ttitle\n1\t"quoted" title\n2\ta, b\n')).toEqual([
      { id: '1', title: '"quoted" title' },
      { id: '2', title: 'a, b' },
    ]);
    expect(parseTsv('1\t2\n', { header: false })).toEqual([['1', '2']]);
  });

  it('rejects rows of the wrong width', () => {
    expect(thrown(() => parseTsv('a\tb\n1\n')).message).toContain('not valid TSV');
  });
});
