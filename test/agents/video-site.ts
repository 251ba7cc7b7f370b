import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small video website on loopback, standing in for YouTube (which tests cannot reach): pages
 * that yt-dlp's generic extractor reads (an HTML5 <video> with a <track>, or schema.org
 * VideoObject JSON-LD), their caption files and media, and the failures a real site gives.
 */
export interface VideoSite {
  url(route: string): string;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

const html5Page = (title: string, description: string, track: string | null) => `<!DOCTYPE html>
<html><head><title>${title}</title>
<meta property="og:title" content="${title}">
<meta property="og:description" content="${description}">
</head><body>
<video controls src="/lecture.mp4">${track ?? ''}</video>
</body></html>`;

const jsonLdPage = (base: string) => `<!DOCTYPE html>
<html><head><title>Lecture</title>
<script type="application/ld+json">${JSON.stringify({
  '@context': 'https://schema.org',
  '@type': 'VideoObject',
  name: 'Lakes in practice',
  description: 'A lecture about lakes, without captions.',
  duration: 'PT3S',
  uploadDate: '2024-05-01',
  author: { '@type': 'Person', name: 'Data Channel' },
  contentUrl: `${base}/lecture.mp4`,
  hasPart: [
    { '@type': 'Clip', name: 'Intro', startOffset: 0, endOffset: 1 },
    { '@type': 'Clip', name: 'Catalog', startOffset: 1, endOffset: 3 },
  ],
})}</script></head><body><p>The player loads here.</p></body></html>`;

export async function startVideoSite(files: {
  rollingVtt: string;
  manualVtt: string;
  lectureMp4: string;
}): Promise<VideoSite> {
  const requests: string[] = [];
  let base = '';
  const pages: Record<string, () => { type: string; body: string | Buffer } | { status: number }> = {
    '/talk.html': () => ({
      type: 'text/html',
      body: html5Page(
        'A talk about lakes',
        'How lakes work.&#10;0:00 Welcome&#10;0:05 Lakes&#10;0:08 Catalogs',
        '<track kind="captions" src="/talk.en.vtt" srclang="en" label="English">',
      ),
    }),
    '/manual.html': () => ({
      type: 'text/html',
      body: html5Page('Q and A', 'Questions.', '<track kind="captions" src="/manual.en.vtt" srclang="en">'),
    }),
    '/french.html': () => ({
      type: 'text/html',
      body: html5Page('Les lacs', 'En français.', '<track kind="captions" src="/manual.fr.vtt" srclang="fr">'),
    }),
    '/lecture.html': () => ({ type: 'text/html', body: jsonLdPage(base) }),
    '/plain.html': () => ({
      type: 'text/html',
      body: '<!DOCTYPE html><html><head><title>Just text</title></head><body><p>No video here.</p></body></html>',
    }),
    '/private.html': () => ({ status: 403 }),
    '/talk.en.vtt': () => ({ type: 'text/vtt', body: fs.readFileSync(files.rollingVtt) }),
    '/manual.en.vtt': () => ({ type: 'text/vtt', body: fs.readFileSync(files.manualVtt) }),
    '/manual.fr.vtt': () => ({ type: 'text/vtt', body: fs.readFileSync(files.manualVtt) }),
    '/lecture.mp4': () => ({ type: 'video/mp4', body: fs.readFileSync(files.lectureMp4) }),
  };
  const server = http.createServer((req, res) => {
    const route = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(route);
    const page = pages[route]?.();
    if (!page) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
    } else if ('status' in page) {
      res.writeHead(page.status, { 'content-type': 'text/html' }).end(`<h1>${page.status}</h1>`);
    } else {
      res.writeHead(200, { 'content-type': page.type, 'content-length': Buffer.byteLength(page.body) }).end(page.body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (route) => `${base}${route}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
