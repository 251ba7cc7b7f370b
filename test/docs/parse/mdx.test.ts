import { describe, expect, it } from 'vitest';
import { parseDocument, type ParsedDocument } from '../../../src/docs/parse/index.js';
import { corpusFile, haveCorpora } from './corpus.js';

function parseCorpus(relative: string): ParsedDocument {
  const file = corpusFile(relative);
  return parseDocument({ content: file.content, format: file.format, path: file.path });
}

const parseMdx = (content: string): ParsedDocument => parseDocument({ content, format: 'mdx', path: 'page.mdx' });

describe.skipIf(!haveCorpora)('mdx: MCP documentation', () => {
  it('keeps the text inside <Card>, <Warning> and <Steps>/<Step>, with titles as bold lines', () => {
    const doc = parseCorpus('mcp-docs/docs/extensions/auth/oauth-client-credentials.mdx');
    expect(doc.title).toBe('OAuth Client Credentials');
    expect(doc.description).toBe(
      'Machine-to-machine authentication for MCP using the OAuth 2.0 client credentials flow',
    );
    expect(doc.markdown).toContain(
      'Client secrets are **long-lived credentials** that grant access without user interaction.',
    );
    expect(doc.markdown).toContain('Full technical specification for the OAuth Client Credentials extension.');
    expect(doc.markdown).toContain('\n**Declare support**\n');
    expect(doc.markdown).not.toMatch(/<\/?(Card|Warning|Steps|Step)\b/);
    // A card's href is a link like any other.
    expect(doc.links).toContainEqual({
      href: 'https://github.com/modelcontextprotocol/ext-auth/blob/main/specification/draft/oauth-client-credentials.mdx',
      text: 'Specification',
      sectionAnchor: '',
    });
    const forClients = doc.sections.find((s) => s.anchor === 'for-mcp-clients');
    expect(forClients?.headingPath).toEqual(['Implementation guide', 'For MCP clients']);
  });

  it('drops ESM exports and MDX comments but keeps <Note> text and table icons', () => {
    const doc = parseCorpus('mcp-docs/docs/extensions/client-matrix.mdx');
    expect(doc.markdown).not.toContain('export const CHECK');
    expect(doc.markdown).not.toContain('prettier-ignore');
    expect(doc.markdown).toContain('This list is maintained by the community.');
    expect(doc.markdown).toMatch(/\| \[Cursor\]\(https:\/\/cursor\.com\/\) +\| +✓ +\|/);
  });

  it('unwraps <Tabs>/<Tab> with the tab title as a bold line', () => {
    const doc = parseCorpus('mcp-docs/docs/docs/2026-07-28/develop/build-client.mdx');
    expect(doc.markdown).toContain('\n**Python**\n');
    expect(doc.markdown).toContain('You must use the Python MCP SDK 2.0.0 or higher');
    expect(doc.markdown).not.toMatch(/<\/?Tabs?\b/);
    expect(doc.sections.some((s) => s.headingPath.join(' > ') === 'System Requirements')).toBe(true);
  });

  it('reduces the HTML-heavy schema reference to text under its headings', () => {
    const doc = parseCorpus('mcp-docs/docs/specification/draft/schema.mdx');
    const section = doc.sections.find((s) => s.anchor === 'jsonrpcerrorresponse');
    expect(section?.headingPath).toEqual(['JSON-RPC', 'JSONRPCErrorResponse']);
    expect(section?.markdown).toContain('A response to a request that indicates an error occurred.');
    expect(section?.markdown).toContain('jsonrpc: "2.0";');
    expect(doc.markdown).not.toMatch(/<\/?(div|span|section|svg|a)\b/);
  });

  it('reads no link definition from an index signature in the middle of a schema paragraph', () => {
    // The signatures' `&#x5B;key: string&#x5D;: unknown` lines, decoded, look like definitions.
    const doc = parseCorpus('mcp-docs/docs/specification/2025-11-25/schema.mdx');
    expect(doc.markdown).toMatch(/\n +\[key: string\]: unknown\n/);
    expect(doc.links.length).toBeGreaterThan(40);
    for (const link of doc.links) expect(link.href).toMatch(/^(\/specification\/2025-11-25\/|https:\/\/)/);
  });
});

describe('mdx: tolerant clean-up', () => {
  it('drops import and export statements, keeping the prose around them', () => {
    const doc = parseMdx(
      [
        "import { Widget } from '/snippets/widget.mdx';",
        "import Chart from './chart.js'",
        '',
        'export const meta = {',
        '  author: "me",',
        '};',
        '',
        '# Page',
        '',
        'Intro text.',
        '',
        '```js',
        "import fs from 'node:fs';",
        '```',
      ].join('\n'),
    );
    expect(doc.markdown).toBe("# Page\n\nIntro text.\n\n```js\nimport fs from 'node:fs';\n```");
  });

  it('keeps text in components, titles of accordions, and links written as <a>', () => {
    const doc = parseMdx(
      [
        '<AccordionGroup>',
        '<Accordion title="Server not showing up">',
        '',
        'Restart the app, see <a href="/docs/logs">the logs</a> and <a href="#top">top</a>.',
        '',
        '</Accordion>',
        '</AccordionGroup>',
        '',
        '{/* a comment */}',
        '<Note>Inline note with `<Tag>` in code.</Note>',
      ].join('\n'),
    );
    expect(doc.markdown).toBe(
      '**Server not showing up**\n\nRestart the app, see [the logs](/docs/logs) and top.\n\nInline note with `<Tag>` in code.',
    );
    expect(doc.links).toEqual([{ href: '/docs/logs', text: 'the logs', sectionAnchor: '' }]);
  });

  it('shifts text indented by JSX nesting out of indented-code depth, and keeps escaped markup', () => {
    const doc = parseMdx(
      '<CardGroup>\n  <Card title="Guide">\n\n      Deeply nested text.\n        - nested item\n\n  </Card>\n</CardGroup>\n\nAn escaped \\<Tag> stays.',
    );
    expect(doc.markdown).toBe('  **Guide**\n\n   Deeply nested text.\n     - nested item\n\nAn escaped \\<Tag> stays.');
  });

  it('never throws on odd MDX', () => {
    const odd = [
      '<Tabs>',
      '<Tab title="Unclosed">',
      'Text with a stray < and { brace } and &nbsp; and &unknown; and </NotOpened>',
      '<Card title="x" icon={<svg />} style={{ a: { b: 1 } }} {...props}>',
      'export default function() {',
      '<>fragment</>',
      '```',
      'unterminated code',
    ].join('\n');
    const doc = parseMdx(odd);
    expect(doc.markdown).toContain('Text with a stray < and { brace } and   and &unknown; and');
    expect(doc.markdown).toContain('fragment');
    expect(doc.markdown.endsWith('unterminated code\n```')).toBe(true);
    expect(doc.warnings).toHaveLength(1);
  });
});
