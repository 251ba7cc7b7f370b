import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BosunError, parseWith } from '../../core/index.js';
import { sourceSpecSchema, type SourceSpec } from './spec.js';

/** CLI options that shape a source: the common ones plus those of git and web sources. */
export interface DetectOptions {
  versionsFrom?: 'folders';
  version?: string;
  include?: string[];
  exclude?: string[];
  maxPages?: number;
  maxDepth?: number;
  concurrency?: number;
  rate?: number;
  maxPageBytes?: number;
  ref?: string;
  subdir?: string;
  tags?: string;
  branches?: string;
  scope?: string;
  render?: boolean;
  /** The input is a Scrapy spider file whose items are pages. */
  scrapy?: boolean;
  /** A folder of PDFs and scans, read through OCR. */
  documents?: boolean;
  /** Relative paths resolve against it; default process.cwd(). */
  cwd?: string;
}

const isLlmsName = (name: string): boolean => /^llms(-[\w-]+)?\.txt$/i.test(name);
const isSpecName = (name: string): boolean => /\.(json|ya?ml)$/i.test(name);

/**
 * Classifies a `<source>` argument: an existing folder (a git repository when it has `.git`
 * and a git option is given), a git URL (`*.git`, `git@…`, `ssh://`, `git://`, or any URL
 * with a git option), an llms.txt / llms-full.txt URL or file, an OpenAPI 3 file (checked)
 * or URL (by extension), or any other http(s) URL as a website.
 */
export function detectSource(input: string, options: DetectOptions = {}): SourceSpec {
  const { cwd = process.cwd(), ref, subdir, tags, branches, scope, render, scrapy, documents, ...common } = options;
  const gitOptions = { ref, subdir, tags, branches };
  const wantsGit = Object.values(gitOptions).some((v) => v !== undefined);
  const build = (spec: Record<string, unknown>): SourceSpec =>
    parseWith(sourceSpecSchema, dropUndefined({ ...common, ...spec }), `source '${input}'`);

  if (scrapy) return build({ kind: 'scrapy', path: spiderFile(input, cwd) });
  if (
    /^(git@[^:]+:|ssh:\/\/|git:\/\/|git\+)/i.test(input) ||
    (/^https?:\/\//i.test(input) && (/\.git\/?$/i.test(input) || wantsGit))
  ) {
    return build({ kind: 'git', url: input, ...gitOptions });
  }
  if (/^https?:\/\//i.test(input)) {
    const name = path.posix.basename(new URL(input).pathname);
    if (isLlmsName(name)) return build({ kind: 'llms', url: input });
    if (isSpecName(name)) return build({ kind: 'openapi', url: input });
    return build({ kind: 'web', url: input, scope, render });
  }
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(input) && !/^file:/i.test(input)) {
    throw new BosunError('UNSUPPORTED', `unsupported source '${input}'`, {
      hint: 'give a folder, a git repository, an http(s) URL, an llms.txt file or an OpenAPI file',
    });
  }

  const local = path.resolve(cwd, /^file:/i.test(input) ? fileURLToPath(input) : input);
  const stat = existsSync(local) ? statSync(local) : undefined;
  if (!stat) {
    throw new BosunError('NOT_FOUND', `source not found: ${input}`, {
      hint: `no file or folder at ${local}; check the path or give a URL`,
    });
  }
  if (stat.isDirectory()) {
    if (wantsGit) {
      if (!existsSync(path.join(local, '.git'))) {
        throw new BosunError('INVALID_INPUT', `${input} is not a git repository, but a git option was given`, {
          hint: 'drop --ref/--subdir/--tags/--branches to read the folder as it is',
        });
      }
      return build({ kind: 'git', url: local, ...gitOptions });
    }
    return build({ kind: documents ? 'documents' : 'local', path: local });
  }
  if (documents) {
    throw new BosunError('INVALID_INPUT', `--documents takes a folder; ${input} is a file`, {
      hint: 'put the documents in a folder and add that',
    });
  }
  const name = path.basename(local);
  if (isLlmsName(name)) return build({ kind: 'llms', path: local });
  if (
    isSpecName(name) &&
    /(^|[{,\s])["']?openapi["']?\s*:\s*["']?3\./m.test(readFileSync(local, 'utf8').slice(0, 65_536))
  ) {
    return build({ kind: 'openapi', path: local });
  }
  throw new BosunError('UNSUPPORTED', `cannot tell what kind of source ${input} is`, {
    hint: 'a file source is an llms.txt / llms-full.txt or an OpenAPI 3 document (JSON or YAML with `openapi: 3.x`); for documentation files give their folder',
  });
}

/** A spider source is a .py file that exists; it is kept by absolute path, as a folder source is. */
function spiderFile(input: string, cwd: string): string {
  const file = path.resolve(cwd, input);
  if (!/\.py$/i.test(file) || !existsSync(file) || !statSync(file).isFile()) {
    throw new BosunError('NOT_FOUND', `no spider file at ${file}`, {
      hint: '--scrapy takes a Scrapy spider, a .py file whose items have url, title and html or markdown',
    });
  }
  return file;
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
