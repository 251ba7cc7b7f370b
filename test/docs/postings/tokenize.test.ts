import { describe, expect, it } from 'vitest';
import { chunkTerms } from '../../../src/docs/postings/fields.js';
import { hammingDistance, isNearDuplicate, simhash } from '../../../src/docs/postings/simhash.js';
import { expandWithSynonyms } from '../../../src/docs/postings/synonyms.js';
import { queryTerms, tokenize } from '../../../src/docs/postings/tokenize.js';

describe('tokenize: code identifiers are kept whole and split', () => {
  it('snake_case keeps the identifier and its stemmed words', () => {
    expect(tokenize('ducklake_data_file')).toEqual(['ducklake_data_file', 'ducklak', 'data', 'file']);
    expect(tokenize('list_cosine_distance')).toEqual(['list_cosine_distance', 'list', 'cosin', 'distanc']);
  });

  it('method names with slashes', () => {
    expect(tokenize('tools/call')).toEqual(['tools/call', 'tool', 'call']);
    expect(tokenize('notifications/tools/list_changed')).toEqual([
      'notifications/tools/list_changed',
      'notif',
      'tool',
      'list',
      'chang',
    ]);
  });

  it('camelCase meets the lower-case spelling, and splits into its humps', () => {
    const camel = tokenize('camelCase');
    expect(camel).toEqual(expect.arrayContaining(['camel', 'case']));
    expect(camel).toContain(tokenize('camelcase')[0]);
    expect(tokenize('inputSchema')).toEqual(expect.arrayContaining(['input', 'schema']));
    expect(tokenize('HTTPServer')).toEqual(['httpserver', 'http', 'server']);
    // A product name typed either way finds the other.
    expect(tokenize('DuckLake')[0]).toBe(tokenize('ducklake')[0]);
  });

  it('negative numbers keep their sign (JSON-RPC error codes); hyphens inside words do not make one', () => {
    expect(tokenize('error -32002 occurs')).toEqual(['error', '-32002', '32002', 'occur']);
    expect(tokenize('"code": -32602')).toContain('-32602');
    expect(tokenize('SEP-1686')).toEqual(['sep-1686', 'sep', '1686']);
    expect(tokenize('SEP-1686')).not.toContain('-1686');
  });

  it('letters and digits split, versions and dates stay whole', () => {
    expect(tokenize('float32')).toEqual(['float32', 'float', '32']);
    expect(tokenize('version 0.3')).toEqual(['version', '0.3']);
    expect(tokenize('2025-11-25')).toEqual(['2025-11-25', '2025', '11', '25']);
  });

  it('parts-only mode (the bench baseline) drops the wholes', () => {
    expect(tokenize('ducklake_data_file', { identifiers: 'parts-only' })).toEqual(['ducklak', 'data', 'file']);
    expect(tokenize('-32002', { identifiers: 'parts-only' })).toEqual(['32002']);
  });
});

describe('tokenize: English', () => {
  it('stems plurals and verb forms to one term', () => {
    expect(tokenize('snapshots')).toEqual(tokenize('snapshot'));
    expect(tokenize('expired')).toEqual(tokenize('expiring'));
  });

  it('drops stop words and the phrasing of questions', () => {
    expect(tokenize('How do I list the snapshots of a table?')).toEqual(['list', 'snapshot', 'tabl']);
    expect(tokenize('What is the difference between DuckLake and Iceberg?')).toEqual([
      'differ',
      'ducklak',
      'duck',
      'lake',
      'iceberg',
    ]);
    expect(tokenize('how do I do it, and what is this?')).toEqual([]);
  });

  it('keeps SQL words that are also English (NOT NULL, ON CONFLICT)', () => {
    expect(tokenize('NOT NULL')).toEqual(['not', 'null']);
    expect(tokenize('ON CONFLICT')).toEqual(['on', 'conflict']);
  });

  it('folds accents and ignores junk runs', () => {
    expect(tokenize('Café naïve')).toEqual(['cafe', 'naiv']);
    expect(tokenize('a'.repeat(200))).toEqual([]);
  });

  it('query terms are distinct, in order', () => {
    expect(queryTerms('snapshot snapshots SNAPSHOT tables')).toEqual(['snapshot', 'tabl']);
  });

  it('tokenizes a 10,000-character text quickly', () => {
    const text = 'ducklake_expire_snapshots removes old snapshots; '.repeat(200);
    const started = performance.now();
    expect(tokenize(text).length).toBeGreaterThan(1000);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('chunk terms per field', () => {
  const chunk = {
    chunk_id: 'c1',
    path: 'duckdb/maintenance/expire_snapshots.md',
    title: 'Expire Snapshots',
    heading_path: ['Expire Snapshots', 'Usage'],
    text: '## Usage\n\nCall `ducklake_expire_snapshots` to expire [old snapshots](../usage/snapshots.md).',
  };

  it('counts title (with the path), headings and body separately', () => {
    const row = chunkTerms(chunk);
    const tf = (term: string) => {
      const i = row.terms.indexOf(term);
      return i < 0 ? null : [row.tf_title[i], row.tf_heading[i], row.tf_body[i]];
    };
    // Title "Expire Snapshots", file stem expire_snapshots (whole + parts), folders duckdb, maintenance.
    expect(tf('expir')).toEqual([2, 0, 2]);
    expect(tf('expire_snapshots')).toEqual([1, 0, 0]);
    expect(tf('mainten')).toEqual([1, 0, 0]);
    // The first heading repeats the title and is left out of the heading field.
    expect(tf('usag')).toEqual([0, 1, 1]);
    expect(tf('ducklake_expire_snapshots')).toEqual([0, 0, 1]);
    // Link destinations are not text.
    expect(row.terms).not.toContain('../usage/snapshots.md');
    expect(row.title_len).toBe(row.tf_title.reduce((a, b) => a + b, 0));
    expect(row.body_len).toBe(row.tf_body.reduce((a, b) => a + b, 0));
  });
});

describe('SimHash', () => {
  const words = Array.from({ length: 60 }, (_, i) => `word${i}`);
  const bag = (ws: string[]) => new Map(ws.map((w) => [w, 1]));

  it('a section copied with a word changed stays within the near-duplicate distance', () => {
    const a = simhash(bag(words));
    const b = simhash(bag([...words.slice(0, 59), 'other']));
    expect(isNearDuplicate(a, b)).toBe(true);
  });

  it('different sections are far apart', () => {
    const a = simhash(bag(words));
    const b = simhash(bag(Array.from({ length: 60 }, (_, i) => `term${i}`)));
    expect(hammingDistance(a, b)).toBeGreaterThan(10);
  });
});

describe('synonyms', () => {
  it('adds the other words of a group at the given weight, once', () => {
    const expanded = expandWithSynonyms(queryTerms('abort the request'), 0.3);
    expect(expanded.slice(0, 2)).toEqual([
      { term: 'abort', weight: 1 },
      { term: 'request', weight: 1 },
    ]);
    expect(expanded).toContainEqual({ term: 'cancel', weight: 0.3 });
    expect(expanded.filter((t) => t.term === 'cancel')).toHaveLength(1);
  });
});
