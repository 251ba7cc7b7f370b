import type { ProjectFacts } from '../../runtime/types.js';

/**
 * docs.write's three documents, as markdown built from what the PM recorded — never invented:
 * - `readme`: what the project is and does, its outputs, how it was built;
 * - `handbook`: how to run it again — the steps in order with their skills and inputs, where
 *   the outputs live, the decisions, and what is still open;
 * - `report`: the PM's project document (goal, what was done, decisions, artifacts, time,
 *   timeline), which is the documentation phase's account of the work.
 * Inputs the task adds (findings, a description) follow as their own sections.
 */
export type DocumentKind = 'readme' | 'handbook' | 'report';

type Task = ProjectFacts['tasks'][number];

function taskLine(t: Task): string {
  const how = t.skill ? ` (${t.skill}${t.agentId ? `, ${t.agentId}` : ''})` : '';
  return `- **${t.ref} ${t.title}**${how}${t.summary ? ` — ${t.summary.split('\n')[0]}` : ''}`;
}

function artifactTable(facts: ProjectFacts): string[] {
  if (!facts.artifacts.length) return ['_No artifact was recorded._'];
  return [
    '| artifact | task | type | where |',
    '|---|---|---|---|',
    ...facts.artifacts.map(
      (a) => `| ${cell(a.name)} | ${a.taskRef} | ${a.mediaType} | ${a.uri ? cell(a.uri) : '(inline)'} |`,
    ),
  ];
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function notesOf(facts: ProjectFacts): string[] {
  if (!facts.notes.length) return ['_No note was recorded._'];
  return facts.notes.map(
    (n) =>
      `- ${n.kind === 'note' ? '' : `**${n.kind}:** `}${n.body.replace(/\n+/g, ' ')}${n.taskRef ? ` (${n.taskRef})` : ''} — ${n.author}, ${n.createdAt.slice(0, 10)}`,
  );
}

/** A title for each input key ("data_sources" → "Data sources"), its value as text or JSON. */
export function inputSections(inputs: Record<string, unknown>, level = 2): string[] {
  const hashes = '#'.repeat(level);
  return Object.entries(inputs).flatMap(([key, value]) => {
    const title = key.replace(/[_-]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
    const body =
      typeof value === 'string' ? value.trim() : ['```json', JSON.stringify(value, null, 2), '```'].join('\n');
    return [`${hashes} ${title}`, '', body, ''];
  });
}

function readme(facts: ProjectFacts): string[] {
  const done = facts.tasks.filter((t) => t.status === 'completed');
  return [
    `# ${facts.name}`,
    '',
    facts.brief?.trim() || '_No brief was recorded._',
    '',
    '## What it does',
    '',
    ...(done.length ? done.map(taskLine) : ['_No task is completed yet._']),
    '',
    '## Outputs',
    '',
    ...artifactTable(facts),
    '',
    '## How it was built',
    '',
    `Project \`${facts.slug}\`${facts.client ? ` for ${facts.client}` : ''}, ${facts.status}; ${facts.tasks.length} task(s):`,
    '',
    ...facts.tasks.map((t) => `${taskLine(t)} · ${t.status}`),
    '',
    '## Notes',
    '',
    ...notesOf(facts),
    '',
  ];
}

function handbook(facts: ProjectFacts): string[] {
  const open = facts.tasks.filter((t) => t.status !== 'completed');
  const steps = facts.tasks.flatMap((t, i) => [
    `### ${i + 1}. ${t.title} (${t.ref})`,
    '',
    `- **Skill:** ${t.skill ?? 'none (done by hand)'}${t.agentId ? ` · agent ${t.agentId}` : ''} · ${t.status}`,
    ...(t.description ? [`- **What:** ${t.description.replace(/\n+/g, ' ')}`] : []),
    ...(Object.keys(t.inputs).length ? [`- **Inputs:** \`${JSON.stringify(t.inputs)}\``] : []),
    ...(t.summary ? [`- **Last result:** ${t.summary.split('\n')[0]}`] : []),
    '',
  ]);
  return [
    `# ${facts.name}: handbook`,
    '',
    '## Purpose',
    '',
    facts.brief?.trim() || '_No brief was recorded._',
    '',
    '## Steps',
    '',
    ...(steps.length ? steps : ['_The project has no task._', '']),
    '## Where things are',
    '',
    ...artifactTable(facts),
    '',
    '## Decisions and notes',
    '',
    ...notesOf(facts),
    '',
    '## Open issues',
    '',
    ...(open.length ? open.map((t) => `${taskLine(t)} · ${t.status}`) : ['_None: every task is completed._']),
    '',
  ];
}

export function renderDocument(
  kind: DocumentKind,
  facts: ProjectFacts | null,
  inputs: Record<string, unknown>,
  title: string | undefined,
): string {
  const body = facts
    ? kind === 'readme'
      ? readme(facts)
      : kind === 'handbook'
        ? handbook(facts)
        : [...facts.document.trimEnd().split('\n'), '']
    : [`# ${title ?? kind.replace(/^\w/, (c) => c.toUpperCase())}`, ''];
  if (facts && title) body[0] = `# ${title}`;
  return `${[...body, ...inputSections(inputs)].join('\n').trimEnd()}\n`;
}
