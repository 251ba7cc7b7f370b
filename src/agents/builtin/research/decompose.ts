/**
 * A question → the searches that together answer it, deterministically (no model): the whole
 * question, each of its clauses, each entity it names (code identifiers, quoted phrases,
 * capitalised names), and, for every library it names, the question within that library. The
 * same question always gives the same sub-queries, so a report can be reproduced and tested.
 */
export interface SubQuery {
  query: string;
  /** Why this search: `question`, `clause`, `entity` or `library`. */
  kind: 'question' | 'clause' | 'entity' | 'library';
  /** Search only these libraries (a library the question names). */
  libraries?: string[];
}

const MAX_SUB_QUERIES = 8;

/** Words that start a new clause after "and"/"or"/a comma: "…, and how do I …". */
const CLAUSE_START =
  /\s*(?:,\s*(?:and|or|but)\s+|\s(?:and|or|but)\s+(?=(?:how|what|why|when|where|which|who|whether|does|do|is|are|can|should)\b)|;\s*)/i;

/** Question words and fillers: a clause made only of these is not worth a search. */
const FILLER = new Set(
  'a an the and or but of to in on for with by from at as is are was were be been do does did how what why when where which who whom whether can could should would will i we you it its this that these those there about into me my our your please tell explain describe'.split(
    ' ',
  ),
);

function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []).filter((w) => !FILLER.has(w));
}

function clean(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/^[\s,;:]+|[\s,;:?.!]+$/g, '');
}

export function clausesOf(question: string): string[] {
  return question
    .split(/(?<=[?.!])\s+(?=[A-Z`"'])|\n+/)
    .flatMap((sentence) => sentence.split(CLAUSE_START))
    .map(clean)
    .filter((c) => contentWords(c).length >= 2);
}

/**
 * Entities: `backticked` code, "quoted phrases", identifiers with _ . / :: or inner capitals
 * (ducklake_data_file, tools/call, camelCase), and capitalised words not opening a sentence.
 */
export function entitiesOf(question: string): string[] {
  const found: string[] = [];
  for (const m of question.matchAll(/`([^`]+)`|"([^"]+)"|“([^”]+)”/g)) found.push((m[1] ?? m[2] ?? m[3])!);
  const unquoted = question.replace(/`[^`]*`|"[^"]*"|“[^”]*”/g, ' ');
  for (const m of unquoted.matchAll(/[\p{L}\p{N}]+(?:(?:_|\.|\/|::|-)[\p{L}\p{N}]+)+|\b[a-z]+[A-Z][\p{L}\p{N}]*/gu))
    if (!/^\d+(?:\.\d+)*$/.test(m[0])) found.push(m[0]);
  for (const m of unquoted.matchAll(/(?<![.?!]\s|^)\b[A-Z][\p{L}\p{N}]+(?:\s+[A-Z][\p{L}\p{N}]+)*/gu))
    if (!FILLER.has(m[0].toLowerCase())) found.push(m[0]);
  return unique(found.map(clean).filter(Boolean));
}

/** Libraries the question names, as whole words (case-insensitive). */
export function librariesNamed(question: string, libraries: readonly string[]): string[] {
  const lower = question.toLowerCase();
  return libraries.filter((name) => {
    const escaped = name.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, 'u').test(lower);
  });
}

function unique(values: string[]): string[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = v.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function decompose(question: string, libraries: readonly string[] = []): SubQuery[] {
  const whole = clean(question);
  const out: SubQuery[] = [{ query: whole, kind: 'question' }];
  const seen = new Set([`${whole.toLowerCase()}|`]);
  const add = (q: SubQuery) => {
    const key = `${q.query.toLowerCase()}|${q.libraries?.join(',') ?? ''}`;
    if (seen.has(key) || out.length >= MAX_SUB_QUERIES) return;
    seen.add(key);
    out.push(q);
  };
  const clauses = clausesOf(question);
  if (clauses.length > 1) for (const c of clauses) add({ query: c, kind: 'clause' });
  const named = librariesNamed(question, libraries);
  for (const e of entitiesOf(question)) {
    // A library's bare name as a query would match every page of it; it narrows searches instead.
    if (named.some((n) => n.toLowerCase() === e.toLowerCase())) continue;
    add({ query: e, kind: 'entity' });
  }
  for (const name of named) add({ query: whole, kind: 'library', libraries: [name] });
  return out;
}
