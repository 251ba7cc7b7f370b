import { describe, expect, it } from 'vitest';
import { isBosunError } from '../../src/core/index.js';
import { pageUri, parsePageUri } from '../../src/mcp/docs/uri.js';

describe('docs:// page URIs', () => {
  it('round-trip any path, keeping its slashes', () => {
    for (const page of [
      { library: 'duckdb', version: '1.2', path: 'guide/install.md' },
      { library: 'mcp', version: '2025-11-25', path: 'specification/server/tools.mdx' },
      { library: 'odd', version: 'v1 beta', path: 'a dir/ü#frag?.md' },
      { library: 'pct', version: 'latest', path: '100%/done.md' },
    ]) {
      const uri = pageUri(page);
      expect(uri.startsWith(`docs://${page.library}/`)).toBe(true);
      expect(uri.split('/').length).toBe(page.path.split('/').length + 4);
      expect(parsePageUri(uri)).toEqual(page);
    }
    expect(pageUri({ library: 'odd', version: 'v1 beta', path: 'a dir/ü#frag?.md' })).toBe(
      'docs://odd/v1%20beta/a%20dir/%C3%BC%23frag%3F.md',
    );
  });

  it('refuses what is not a page URI, and paths that climb', () => {
    const refused = (uri: string) => {
      try {
        parsePageUri(uri);
        return null;
      } catch (err) {
        return isBosunError(err, 'INVALID_INPUT') ? (err as Error).message : 'other error';
      }
    };
    expect(refused('https://example.com/x.md')).toMatch(/is not a page URI/);
    expect(refused('docs://duckdb/1.2')).toMatch(/is not a page URI/);
    expect(refused('docs://duckdb/1.2/guide//x.md')).toMatch(/is not a page URI/);
    expect(refused('docs://duckdb/1.2/%E0%A4%A.md')).toMatch(/malformed percent-encoding/);
    expect(refused('docs://duckdb/1.2/../../etc/passwd')).toMatch(/climbs out/);
    expect(refused('docs://duckdb/1.2/guide/%2E%2E/%2e%2e/x')).toMatch(/climbs out/);
    expect(refused('docs://duckdb/1.2/guide/%252e%252e/x')).toMatch(/climbs out/);
  });
});
