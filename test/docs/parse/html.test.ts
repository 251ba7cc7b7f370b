import { describe, expect, it } from 'vitest';
import { parseDocument } from '../../../src/docs/parse/index.js';

const page = `<!doctype html>
<html><head><title>Widgets guide · Acme Docs</title></head>
<body>
<header><a href="/">Acme</a><nav><a href="/docs/">Docs</a> <a href="/blog/">Blog</a></nav></header>
<nav class="sidebar"><ul><li><a href="intro.html">Intro</a></li></ul></nav>
<main>
  <h1>Widgets guide</h1>
  <p>Widgets use the <a href="api/widget.html">Widget API</a>, see <a href="#install">installing</a>,
  <a href="../v1/old.html">the old guide</a> and <a href="https://example.org/spec">the spec</a>.</p>
  <h2 id="install">Install</h2>
  <div class="highlight-python"><pre>import acme
acme.install("widget")</pre></div>
  <pre><code class="lang-bash">pip install acme</code></pre>
  <pre><code class="language-ts">const w: Widget = make();</code></pre>
  <h2>Options</h2>
  <table><thead><tr><th>Name</th><th>Type</th></tr></thead>
  <tbody><tr><td>size</td><td>int</td></tr><tr><td>color</td><td>str</td></tr></tbody></table>
  <h3>Advanced</h3>
  <ul><li>First <code>item</code></li><li>Second item</li></ul>
  <script>console.log("tracking")</script>
</main>
<aside>On this page</aside>
<footer>© Acme <a href="/legal">Legal</a></footer>
</body></html>`;

describe('html', () => {
  const doc = parseDocument({
    content: page,
    format: 'html',
    path: 'docs/v2/widgets.html',
    url: 'https://acme.test/docs/v2/widgets.html',
  });

  it('keeps headings as sections, titled by the content h1', () => {
    expect(doc.title).toBe('Widgets guide');
    expect(doc.sections.map((s) => s.headingPath.join(' > '))).toEqual([
      'Widgets guide',
      'Widgets guide > Install',
      'Widgets guide > Options',
      'Widgets guide > Options > Advanced',
    ]);
  });

  it('keeps code blocks with their language and tables as GFM', () => {
    expect(doc.markdown).toContain('```python\nimport acme\nacme.install("widget")\n```');
    expect(doc.markdown).toContain('```bash\npip install acme\n```');
    expect(doc.markdown).toContain('```ts\nconst w: Widget = make();\n```');
    expect(doc.markdown).toMatch(/\| Name +\| Type \|\n\| -+ \| -+ \|\n\| size +\| int +\|/);
    expect(doc.markdown).toContain('- First `item`');
  });

  it('drops navigation, header, aside, footer and scripts', () => {
    for (const chrome of ['Blog', 'Intro', 'On this page', 'Legal', 'tracking'])
      expect(doc.markdown).not.toContain(chrome);
  });

  it('resolves relative links against the page URL and leaves anchors out of links', () => {
    expect(doc.links).toEqual([
      { href: 'https://acme.test/docs/v2/api/widget.html', text: 'Widget API', sectionAnchor: 'widgets-guide' },
      { href: 'https://acme.test/docs/v1/old.html', text: 'the old guide', sectionAnchor: 'widgets-guide' },
      { href: 'https://example.org/spec', text: 'the spec', sectionAnchor: 'widgets-guide' },
    ]);
  });

  it('keeps the article header with its h1, drops permalink marks and hidden elements', () => {
    const sphinx = `<html><body><div role="navigation">Contents</div>
      <div role="main"><header><h1>API<a class="headerlink" href="#api">¶</a></h1></header>
      <p>Call <a href="ref/run.html">run</a>.<span aria-hidden="true">decor</span></p>
      <div class="highlight-sql notranslate"><div class="highlight"><pre>SELECT 1;</pre></div></div></div></body></html>`;
    const parsed = parseDocument({
      content: sphinx,
      format: 'html',
      path: 'api.html',
      url: 'https://db.test/docs/api.html',
    });
    expect(parsed.markdown).toBe('# API\n\nCall [run](https://db.test/docs/ref/run.html).\n\n```sql\nSELECT 1;\n```');
    expect(parsed.title).toBe('API');
  });

  it('finds the content of a page without landmarks, or falls back to the body', () => {
    const paragraphs = Array.from(
      { length: 8 },
      (_, i) =>
        `<p>Paragraph ${i} explains how widgets are configured, deployed and monitored in production systems.</p>`,
    ).join('');
    const soup = `<html><head><title>Soup</title></head><body><div class="menu"><a href="/a">A</a></div><div id="text"><h2>Deploying</h2>${paragraphs}</div></body></html>`;
    const parsed = parseDocument({ content: soup, format: 'html', path: 'soup.html' });
    expect(parsed.markdown).toContain('## Deploying');
    expect(parsed.markdown).toContain('Paragraph 7 explains how widgets are configured');
    expect(parsed.markdown).not.toContain('[A]');

    const tiny = parseDocument({ content: '<p>Hello <b>world</b></p>', format: 'html', path: 'tiny.html' });
    expect(tiny.markdown).toBe('Hello **world**');
    expect(tiny.title).toBe('tiny');
  });
});
