import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { BosunError } from '../../../core/index.js';
import type { VegaLiteSpec } from './spec.js';

export type ChartFormat = 'svg' | 'png' | 'html';

/** A loader that refuses every URL: a chart draws only the rows inlined into its spec. */
function offlineLoader(): vega.Loader {
  const loader = vega.loader();
  const refuse = async (uri: string): Promise<never> => {
    throw new BosunError('INVALID_INPUT', `the chart tried to load ${uri}; charts draw inlined rows only`);
  };
  loader.load = refuse;
  loader.sanitize = refuse;
  return loader;
}

/** Vega-Lite compiled to Vega, run headless (no browser, no canvas) to an SVG string. */
export async function renderSvg(spec: VegaLiteSpec): Promise<{ svg: string; vegaSpec: vega.Spec }> {
  const vegaSpec = compile(spec as never).spec;
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none', loader: offlineLoader() });
  try {
    return { svg: await view.toSVG(), vegaSpec };
  } finally {
    view.finalize();
  }
}

/** The SVG rasterised by resvg with the system's fonts (DejaVu on Debian), `scale` pixels per SVG unit. */
export function svgToPng(svg: string, scale: number): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

/** The minified browser builds of vega, vega-lite and vega-embed, read from node_modules once. */
let libraries: Promise<string[]> | undefined;
function browserLibraries(): Promise<string[]> {
  libraries ??= Promise.all(
    [
      ['vega', 'vega.min.js'],
      ['vega-lite', 'vega-lite.min.js'],
      ['vega-embed', 'vega-embed.min.js'],
    ].map(async ([pkg, file]) => {
      const dir = path.dirname(createRequire(import.meta.url).resolve(pkg!));
      // Inside a <script>, only "</script" ends it early; "<\/" means the same to JavaScript.
      return (await fs.readFile(path.join(dir, file!), 'utf8')).replace(/<\/(script)/gi, '<\\/$1');
    }),
  );
  return libraries;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A page that draws the chart interactively with no network: the libraries and the spec inlined. */
export async function chartHtml(spec: VegaLiteSpec, title: string): Promise<string> {
  const scripts = (await browserLibraries()).map((js) => `<script>${js}</script>`).join('\n');
  const json = JSON.stringify(spec).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
${scripts}
</head>
<body>
<div id="chart"></div>
<script>
vegaEmbed('#chart', ${json}, { renderer: 'svg', actions: false }).catch((err) => {
  document.getElementById('chart').textContent = String(err);
  console.error(err);
});
</script>
</body>
</html>
`;
}
