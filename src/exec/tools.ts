/**
 * The system tools Bosun's sources and agents may use, with the Debian package that provides
 * each: `bosun doctor` and `bosun agents check` both read this one list, so an install hint is
 * written once.
 */
export interface KnownTool {
  name: string;
  /** What needs it, for people reading a report. */
  feature: string;
  /** Debian package(s), space-separated as `apt-get install` takes them. */
  package: string;
  /** Arguments that print the version (default `--version`). */
  versionArgs?: string[];
}

export const KNOWN_TOOLS: readonly KnownTool[] = [
  { name: 'git', feature: 'git documentation sources', package: 'git' },
  { name: 'yt-dlp', feature: 'YouTube agent (metadata, captions, audio)', package: 'yt-dlp' },
  { name: 'ffmpeg', feature: 'YouTube agent (audio for transcription)', package: 'ffmpeg', versionArgs: ['-version'] },
  { name: 'tesseract', feature: 'OCR / documents agent', package: 'tesseract-ocr' },
  { name: 'pdftotext', feature: 'OCR / documents agent (PDF text)', package: 'poppler-utils', versionArgs: ['-v'] },
  {
    name: 'pdftoppm',
    feature: 'OCR / documents agent (scanned PDF pages)',
    package: 'poppler-utils',
    versionArgs: ['-v'],
  },
  {
    name: 'pdfinfo',
    feature: 'OCR / documents agent (PDF pages, encryption)',
    package: 'poppler-utils',
    versionArgs: ['-v'],
  },
  {
    name: 'convert',
    feature: 'OCR / documents agent (deskewing scans)',
    package: 'imagemagick',
    versionArgs: ['-version'],
  },
  { name: 'ocrmypdf', feature: 'OCR / documents agent (searchable PDFs)', package: 'ocrmypdf' },
  { name: 'gs', feature: 'OCR / documents agent (PDF rendering for ocrmypdf)', package: 'ghostscript' },
  { name: 'python3', feature: 'Python agent', package: 'python3 python3-venv' },
  {
    name: 'scrapy',
    feature: 'web scraping agent, docs add --scrapy',
    package: 'python3-scrapy',
    versionArgs: ['version'],
  },
  { name: 'nvcc', feature: 'GPU agent (CUDA compilation)', package: 'nvidia-cuda-toolkit' },
  { name: 'nvidia-smi', feature: 'GPU agent (finds the GPUs)', package: 'nvidia-smi' },
  {
    name: 'clinfo',
    feature: 'GPU agent (OpenCL kernels; pocl runs them on the CPU)',
    package: 'clinfo pocl-opencl-icd ocl-icd-opencl-dev',
    versionArgs: ['--version'],
  },
  { name: 'pytest', feature: 'testing agent (Python projects)', package: 'python3-pytest' },
  { name: 'chromium', feature: 'docs crawling of JavaScript-rendered sites (--render)', package: 'chromium' },
  {
    name: 'bwrap',
    feature: 'the sandbox for user and model code (python, ml, gpu, tests, schedules)',
    package: 'bubblewrap',
  },
  { name: 'tar', feature: 'infra agent (the scaffolded MCP server as a tarball)', package: 'tar' },
];

export function knownTool(name: string): KnownTool | undefined {
  return KNOWN_TOOLS.find((t) => t.name === name);
}
