import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cuesToSegments, parseVtt, stripMarkup } from '../../src/agents/builtin/youtube/vtt.js';
import { alignChapters, chaptersFromDescription, formatTime } from '../../src/agents/builtin/youtube/chapters.js';
import { extractiveSummary } from '../../src/agents/builtin/youtube/summary.js';

const fixture = (name: string) =>
  fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', name), 'utf8');

describe('WebVTT captions', () => {
  it('keeps each line of rolling automatic captions once, at the time it first appeared', () => {
    const parsed = parseVtt(fixture('rolling.en.vtt'));
    expect(parsed.rolling).toBe(true);
    expect(parsed.cues).toHaveLength(9);
    const segments = cuesToSegments(parsed);
    expect(segments.map((s) => s.text)).toEqual([
      'welcome everyone to this talk',
      'about data lakes and catalogs',
      'a lake stores parquet files',
      'the catalog tracks snapshots',
      'so readers never see half a commit',
    ]);
    expect(segments.map((s) => s.start)).toEqual([0, 2.36, 5.04, 8.12, 11.01]);
    // A line lasts until the next one starts; the last one until its cue ends.
    expect(segments[0]!.end).toBe(2.36);
    expect(segments.at(-1)!.end).toBe(14);
  });

  it('keeps manual captions cue by cue, repeated lines included, without markup', () => {
    const parsed = parseVtt(fixture('manual.en.vtt'));
    expect(parsed.rolling).toBe(false);
    const segments = cuesToSegments(parsed);
    expect(segments).toEqual([
      { start: 0.5, end: 2, text: 'Is the lake ready?' },
      { start: 2, end: 3, text: 'Yes.' },
      { start: 3, end: 4, text: 'Yes.' },
      { start: 62.25, end: 65, text: 'Tom & Ana compare Parquet <files> across two lines.' },
    ]);
  });

  it('rejects a file that is not WebVTT', () => {
    expect(() => parseVtt('1\n00:00:01,000 --> 00:00:02,000\nan SRT file\n')).toThrow(/not a WebVTT file/);
  });

  it('strips tags and decodes entities', () => {
    expect(stripMarkup('<c.colorE5E5E5>a&nbsp;b</c> &#233;t&eacute;')).toBe('a b ét&eacute;');
  });
});

describe('chapters', () => {
  it('reads chapters from a description the way YouTube does', () => {
    const description =
      'A talk.\n\n0:00 Intro\n1:05 - The catalog\n(12:30) Snapshots and time travel\nThanks for watching';
    expect(chaptersFromDescription(description)).toEqual([
      { title: 'Intro', start: 0, end: null },
      { title: 'The catalog', start: 65, end: null },
      { title: 'Snapshots and time travel', start: 750, end: null },
    ]);
  });

  it('ignores timestamps that do not start at 0:00 or go backwards', () => {
    expect(chaptersFromDescription('1:00 Late start\n2:00 Then')).toEqual([]);
    expect(chaptersFromDescription('0:00 Intro\n5:00 B\n3:00 C')).toEqual([]);
    expect(chaptersFromDescription('0:00 Only one')).toEqual([]);
  });

  it('puts each segment in the chapter where it starts, and cuts chapterless videos into windows', () => {
    const segments = [
      { start: 1, end: 2, text: 'a' },
      { start: 64, end: 70, text: 'b' },
      { start: 800, end: 810, text: 'c' },
    ];
    const aligned = alignChapters(
      segments,
      [
        { title: 'Intro', start: 0, end: null },
        { title: 'Body', start: 60, end: null },
      ],
      900,
    );
    expect(aligned.map((c) => [c.title, c.start, c.end, c.segments.map((s) => s.text).join('')])).toEqual([
      ['Intro', 0, 60, 'a'],
      ['Body', 60, 900, 'bc'],
    ]);
    const windows = alignChapters(segments, [], null);
    expect(windows.map((c) => [c.title, c.segments.length])).toEqual([
      ['0:00–5:00', 2],
      ['5:00–10:00', 0],
      ['10:00–13:30', 1],
    ]);
    expect(formatTime(3725)).toBe('1:02:05');
  });

  it('summarises extractively per chapter, keeping sentences in the order they were said', () => {
    const seg = (start: number, text: string) => ({ start, end: start + 1, text });
    const chapters = alignChapters(
      [
        seg(0, 'Lakes store parquet files.'),
        seg(2, 'I had coffee this morning.'),
        seg(4, 'The catalog of the lake tracks parquet files and snapshots.'),
        seg(60, 'Snapshots let readers travel in time.'),
      ],
      [
        { title: 'Storage', start: 0, end: null },
        { title: 'Time travel', start: 60, end: null },
      ],
      120,
    );
    const summary = extractiveSummary(chapters, 2);
    expect(summary.method).toBe('extractive');
    expect(summary.chapters![0]!.points.map((p) => p.text)).toEqual([
      'Lakes store parquet files.',
      'The catalog of the lake tracks parquet files and snapshots.',
    ]);
    expect(summary.text).toContain('## Time travel (1:00)\n\n- [1:00] Snapshots let readers travel in time.');
  });
});
