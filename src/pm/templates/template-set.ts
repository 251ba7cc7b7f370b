import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { BosunError, formatZodIssues, packageRoot, toBosunError, type BosunPaths } from '../../core/index.js';
import { checkFragment, expandTemplate, type ExpandedStep } from './expand.js';
import { fragmentSchema, templateSchema, type Fragment, type Template } from './schema.js';

/**
 * Where templates come from: the YAML files shipped in the repository's `templates/`
 * (fragments in `templates/fragments/`), then the user's `$BOSUN_HOME/templates/`, whose
 * files replace shipped ones with the same id.
 */

export type TemplateSource = 'shipped' | 'user';

interface Loaded<T> {
  id: string;
  version: string;
  source: TemplateSource;
  file: string;
  yaml: string;
  value: T;
}

export interface LoadedTemplate extends Loaded<Template> {
  /** Steps with includes expanded, in dependency order. */
  steps: ExpandedStep[];
}

export type LoadedFragment = Loaded<Fragment>;

export interface TemplateProblem {
  file: string;
  /** Known when the file parsed but the template did not validate. */
  id?: string;
  source: TemplateSource;
  message: string;
}

export interface TemplateSet {
  templates: Map<string, LoadedTemplate>;
  fragments: Map<string, LoadedFragment>;
  /** Files that did not load; the rest of the set still works. */
  problems: TemplateProblem[];
}

/** The repository's `templates/` folder. */
export function shippedTemplatesDir(): string {
  return path.join(packageRoot(), 'templates');
}

function yamlFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

export type ParsedFile =
  { kind: 'template'; value: Template; yaml: string } | { kind: 'fragment'; value: Fragment; yaml: string };

/** YAML → a template or a fragment (told apart by `kind:`), or INVALID_INPUT naming the file. */
export function parseTemplateText(text: string, file: string): ParsedFile {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (err) {
    throw new BosunError('INVALID_INPUT', `${file} is not valid YAML: ${(err as Error).message}`);
  }
  const isFragment = typeof raw === 'object' && raw !== null && (raw as { kind?: unknown }).kind === 'fragment';
  const result = (isFragment ? fragmentSchema : templateSchema).safeParse(raw);
  if (!result.success) {
    throw new BosunError('INVALID_INPUT', `${file}: ${formatZodIssues(result.error)}`, {
      hint: 'see docs/projects.md for the template format',
      details: { issues: result.error.issues },
    });
  }
  return isFragment
    ? { kind: 'fragment', value: result.data as Fragment, yaml: text }
    : { kind: 'template', value: result.data as Template, yaml: text };
}

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new BosunError('NOT_FOUND', `cannot read ${file}: ${(err as Error).message}`);
  }
}

export function loadTemplateSet(paths: BosunPaths, shippedDir: string = shippedTemplatesDir()): TemplateSet {
  const problems: TemplateProblem[] = [];
  const rawTemplates = new Map<string, Loaded<Template>>();
  const fragments = new Map<string, LoadedFragment>();
  const sources: [string, TemplateSource][] = [
    [shippedDir, 'shipped'],
    [paths.templates, 'user'],
  ];
  for (const [dir, source] of sources) {
    for (const file of [...yamlFiles(dir), ...yamlFiles(path.join(dir, 'fragments'))]) {
      try {
        const parsed = parseTemplateText(readFile(file), file);
        const entry = { id: parsed.value.id, version: parsed.value.version, source, file, yaml: parsed.yaml };
        if (parsed.kind === 'fragment') {
          checkFragment(parsed.value);
          fragments.set(parsed.value.id, { ...entry, value: parsed.value });
        } else {
          rawTemplates.set(parsed.value.id, { ...entry, value: parsed.value });
        }
      } catch (err) {
        problems.push({ file, source, message: toBosunError(err).message });
      }
    }
  }
  const fragmentValues = new Map([...fragments].map(([id, f]) => [id, f.value]));
  const templates = new Map<string, LoadedTemplate>();
  for (const [id, t] of rawTemplates) {
    try {
      templates.set(id, { ...t, steps: expandTemplate(t.value, fragmentValues) });
    } catch (err) {
      problems.push({ file: t.file, id, source: t.source, message: toBosunError(err).message });
    }
  }
  return { templates, fragments, problems };
}

/** One template by id; NOT_FOUND lists the ids there are (and says so when the file is broken). */
export function findTemplate(templateSet: TemplateSet, id: string): LoadedTemplate {
  const found = templateSet.templates.get(id);
  if (found) return found;
  const broken = templateSet.problems.find((p) => p.id === id);
  if (broken)
    throw new BosunError('INVALID_INPUT', `template '${id}' does not load: ${broken.message}`, {
      hint: `fix ${broken.file}`,
    });
  throw new BosunError('NOT_FOUND', `no template '${id}'`, {
    hint: `templates: ${[...templateSet.templates.keys()].sort().join(', ') || 'none'} (see \`bosun templates list\`)`,
  });
}

/**
 * Validates a file as it would load next to the template set (a template may include the
 * set's fragments). Returns what it is and its expanded steps.
 */
export function validateTemplateFile(
  templateSet: TemplateSet,
  file: string,
): { kind: 'template' | 'fragment'; id: string; version: string; steps: ExpandedStep[] } {
  const parsed = parseTemplateText(readFile(file), file);
  if (parsed.kind === 'fragment') {
    checkFragment(parsed.value);
    return { kind: 'fragment', id: parsed.value.id, version: parsed.value.version, steps: parsed.value.steps };
  }
  const fragments = new Map([...templateSet.fragments].map(([id, f]) => [id, f.value]));
  return {
    kind: 'template',
    id: parsed.value.id,
    version: parsed.value.version,
    steps: expandTemplate(parsed.value, fragments),
  };
}
