import { parse as parseYaml } from 'yaml';

/** YAML front matter (`---` … `---` at the very start) split from the body. */
export interface FrontMatterSplit {
  data: Record<string, unknown>;
  body: string;
  warnings: string[];
}

const frontMatterPattern = /^---[ \t]*\n(?:([\s\S]*?)\n)?(?:---|\.\.\.)[ \t]*(?:\n|$)/;

/** A block that is not a YAML mapping stays in the body: it may be a rule and text, not front matter. */
export function splitFrontMatter(text: string): FrontMatterSplit {
  const m = frontMatterPattern.exec(text);
  if (!m) return { data: {}, body: text, warnings: [] };
  let data: unknown;
  try {
    data = parseYaml(m[1] ?? '');
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { data: {}, body: text, warnings: [`front matter is not valid YAML (${reason}); kept as text`] };
  }
  const body = text.slice(m[0].length);
  if (data === null || data === undefined) return { data: {}, body, warnings: [] };
  if (typeof data !== 'object' || Array.isArray(data)) {
    return { data: {}, body: text, warnings: ['front matter is not a YAML mapping; kept as text'] };
  }
  return { data: data as Record<string, unknown>, body, warnings: [] };
}
