import { describe, expect, it } from 'vitest';
import { parseDocument, type ParsedDocument } from '../../../src/docs/parse/index.js';
import { corpusFile, haveCorpora } from './corpus.js';

function parseCorpus(relative: string): ParsedDocument {
  const file = corpusFile(relative);
  return parseDocument({ content: file.content, format: file.format, path: file.path });
}

const paths = (doc: ParsedDocument): string[] => doc.sections.map((s) => s.headingPath.join(' > '));

describe.skipIf(!haveCorpora)('markdown: DuckLake specification pages', () => {
  it('builds heading paths and anchors of the queries page', () => {
    const doc = parseCorpus('ducklake-docs/docs/stable/specification/queries.md');
    expect(doc.title).toBe('Queries');
    expect(doc.frontMatter).toMatchObject({ layout: 'docu', title: 'Queries', redirect_from: ['/queries'] });
    expect(paths(doc)).toEqual(
      expect.arrayContaining([
        '',
        'Reading Data',
        'Reading Data > Get Current Snapshot',
        'Reading Data > SELECT',
        'Reading Data > SELECT > Note on Paths',
        'Reading Data > SELECT with File Pruning',
        'Writing Data > Snapshot Creation',
        'Writing Data > DELETE',
      ]),
    );
    const note = doc.sections.find((s) => s.anchor === 'note-on-paths');
    expect(note).toMatchObject({ level: 4, headingPath: ['Reading Data', 'SELECT', 'Note on Paths'] });
    expect(note?.markdown.startsWith('#### Note on Paths\n')).toBe(true);
    // A section holds its own body only, not its subsections.
    const select = doc.sections.find((s) => s.anchor === 'select');
    expect(select?.markdown).not.toContain('Note on Paths');
    expect(doc.sections[0]).toMatchObject({ headingPath: [], level: 0, anchor: '' });
  });

  it('nests headings four levels deep on the data types page', () => {
    const doc = parseCorpus('ducklake-docs/docs/stable/specification/data_types.md');
    expect(doc.title).toBe('Data Types');
    expect(paths(doc)).toEqual(
      expect.arrayContaining([
        'Type Encoding for Statistics > Extra Statistics > Geometry',
        'Type Encoding for Data Inlining > PostgreSQL Catalog',
      ]),
    );
    // "Nested Types" is both an H2 and an H3: the second anchor gets a suffix.
    expect(doc.sections.filter((s) => s.headingPath.at(-1) === 'Nested Types').map((s) => s.anchor)).toEqual([
      'nested-types',
      'nested-types-1',
    ]);
  });

  it('keeps a heading-less table page as one section titled from front matter', () => {
    const doc = parseCorpus('ducklake-docs/docs/stable/specification/tables/ducklake_snapshot.md');
    expect(doc.title).toBe('ducklake_snapshot');
    expect(doc.sections).toHaveLength(1);
    expect(doc.sections[0]?.headingPath).toEqual([]);
    expect(doc.markdown).toContain('| `snapshot_id`     | `BIGINT`                   | Primary key |');
  });

  it('turns Jekyll link tags into root-relative paths and drops kramdown attributes', () => {
    const doc = parseCorpus('ducklake-docs/docs/stable/specification/queries.md');
    expect(doc.markdown).not.toMatch(/\{%|\{:/);
    expect(doc.links).toContainEqual({
      href: '/docs/stable/specification/tables/ducklake_snapshot.md',
      text: 'ducklake_snapshot table',
      sectionAnchor: 'get-current-snapshot',
    });
  });

  it('unwraps <details>/<summary> and keeps the code block right after them', () => {
    const doc = parseCorpus('ducklake-docs/docs/stable/specification/tables/overview.md');
    const script = doc.sections.find((s) => s.anchor === 'full-schema-creation-script');
    expect(script?.markdown).toContain('Click here to see the SQL script for creating the schema');
    expect(script?.markdown).toMatch(/\n```sql\nCREATE TABLE ducklake_column/);
    expect(script?.markdown).not.toMatch(/<\/?(details|summary)/);
  });

  it('joins the sections back into the page markdown', () => {
    const doc = parseCorpus('ducklake-docs/docs/stable/specification/queries.md');
    expect(doc.markdown).toBe(doc.sections.map((s) => s.markdown).join('\n\n'));
  });
});

describe('markdown: structure and fallbacks', () => {
  const parse = (content: string, path = 'guide/setup.md'): ParsedDocument =>
    parseDocument({ content, format: 'markdown', path });

  it('takes the title from front matter, then the first heading, then the file name', () => {
    expect(parse('---\ntitle: From YAML\ndescription: Short\n---\n# Heading\n').title).toBe('From YAML');
    expect(parse('---\ntitle: From YAML\ndescription: Short\n---\n# Heading\n').description).toBe('Short');
    expect(parse('Intro.\n\n## First heading\n\ntext').title).toBe('First heading');
    expect(parse('just text').title).toBe('setup');
    expect(parse('just text', 'docs/widgets/index.md').title).toBe('widgets');
  });

  it('includes an H1 in heading paths, and content before it is its own section', () => {
    const doc = parse(
      'Preface.\n\n# Manual\n\nIntro.\n\n## Install\n\nSteps.\n\n### On Linux\n\napt\n\n## Use\n\nRun it.',
    );
    expect(paths(doc)).toEqual(['', 'Manual', 'Manual > Install', 'Manual > Install > On Linux', 'Manual > Use']);
    expect(doc.sections.map((s) => s.level)).toEqual([0, 1, 2, 3, 2]);
  });

  it('reads setext headings, strips inline markup from heading paths, and slugs like GitHub', () => {
    const doc = parse(
      'The *API*\n=======\n\nText.\n\n## `ducklake_snapshot` [table](x.md) **now**\n\nMore.\n\n## Foo? Bar!\n',
    );
    expect(paths(doc)).toEqual(['The API', 'The API > ducklake_snapshot table now', 'The API > Foo? Bar!']);
    expect(doc.sections.map((s) => s.anchor)).toEqual(['the-api', 'ducklake_snapshot-table-now', 'foo-bar']);
  });

  it('never takes a # line inside a code block for a heading', () => {
    const doc = parse('## Shell\n\n```bash\n# install\npip install x\n```\n\n~~~\n## not a heading\n~~~\n');
    expect(doc.sections).toHaveLength(1);
  });

  it('closes a code fence left open, with a warning', () => {
    const doc = parse('## Code\n\n```python\nprint(1)\n');
    expect(doc.markdown).toBe('## Code\n\n```python\nprint(1)\n```');
    expect(doc.warnings).toEqual([expect.stringContaining('never closed')]);
  });

  it('keeps a block that is not valid YAML front matter as text, with a warning', () => {
    const doc = parse('---\ntitle: [unclosed\n---\n\nBody text.');
    expect(doc.frontMatter).toEqual({});
    expect(doc.markdown).toContain('Body text.');
    expect(doc.warnings).toEqual([expect.stringContaining('front matter')]);
  });

  it('extracts links to documents only: no images, same-page anchors or mailto', () => {
    const doc = parse(
      [
        '## Links',
        '',
        'See [the guide](../guide.md "Guide"), [ref link][spec], <https://example.com/a>, https://example.com/b.',
        '![diagram](img.png) [top](#links) [mail](mailto:a@b.c) `[not](code.md)`',
        '',
        '[spec]: https://example.com/spec',
        '',
        '```md',
        '[in code](nope.md)',
        '```',
      ].join('\n'),
    );
    expect(doc.links).toEqual([
      { href: '../guide.md', text: 'the guide', sectionAnchor: 'links' },
      { href: 'https://example.com/spec', text: 'ref link', sectionAnchor: 'links' },
      { href: 'https://example.com/a', text: 'https://example.com/a', sectionAnchor: 'links' },
      { href: 'https://example.com/b', text: 'https://example.com/b', sectionAnchor: 'links' },
    ]);
  });

  it('leaves `<` in plain markdown prose alone unless it is an HTML element', () => {
    const doc = parse('A Vec<String> and <b>bold</b> text<br>next.');
    expect(doc.markdown).toBe('A Vec<String> and bold text\nnext.');
  });
});

describe('text', () => {
  it('is one section with the file name as title', () => {
    const doc = parseDocument({
      content: '# not a heading\r\n\r\nplain words\r\n',
      format: 'text',
      path: 'notes/todo.txt',
    });
    expect(doc.title).toBe('todo');
    expect(doc.sections).toEqual([
      { headingPath: [], level: 0, anchor: '', markdown: '# not a heading\n\nplain words' },
    ]);
    expect(doc.links).toEqual([]);
  });

  it('rejects an unknown format with a clear error', () => {
    expect(() => parseDocument({ content: 'x', format: 'pdf' as never, path: 'x.pdf' })).toThrow(
      /invalid document to parse: format/,
    );
  });
});
