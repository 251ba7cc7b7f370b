import fs from 'node:fs/promises';
import path from 'node:path';
import { artifactFromFile, completedEnvelope, type ResultEnvelope } from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';
import { excerpt, type Gathered, type Passage } from './passages.js';
import { chatConfigured, synthesize, type Synthesis } from './synthesis.js';

/**
 * The report both research skills write: the sources numbered in order of use, then either the
 * extractive body (each sub-query with the passages that answer it, quoted and cited) or the
 * model's synthesis with its uncited sentences removed; `report.md` is the artifact, and the
 * outputs carry every source with its id so a reader (or a test) can check each citation.
 */

function cite(p: Passage, n: number): string {
  return `[${n}] ${p.citation} (\`${p.id}\`)`;
}

function extractiveBody(g: Gathered, number: Map<string, number>, byId: Map<string, Passage>): string[] {
  const out: string[] = [];
  g.bySubQuery.forEach(({ subQuery, ids }, i) => {
    const scope = subQuery.libraries ? ` (in ${subQuery.libraries.join(', ')})` : '';
    out.push(`## ${i + 1}. ${subQuery.query}${scope}`, '');
    if (!ids.length) {
      out.push('_No passage answers this part._', '');
      return;
    }
    for (const id of ids) {
      const p = byId.get(id)!;
      out.push(
        excerpt(p.text)
          .split('\n')
          .map((l) => `> ${l}`.trimEnd())
          .join('\n'),
        '',
        `— ${cite(p, number.get(id)!)}`,
        '',
      );
    }
  });
  return out;
}

/** Rewrites `[id]` citations as `[n]` links to the sources list, so the answer reads well. */
function numbered(text: string, number: Map<string, number>): string {
  return text.replace(/\[([^\]\n]+)\]/g, (whole, inner: string) => {
    const n = number.get(inner.replace(/^`|`$/g, '').trim());
    return n ? `[${n}]` : whole;
  });
}

export interface ReportParts {
  question: string;
  gathered: Gathered;
  /** One line under the title: what was searched. */
  scope: string;
  /** Extra outputs of the skill (pages fetched, libraries searched…). */
  outputs: Record<string, unknown>;
  metrics: Record<string, number>;
}

export async function writeReport(ctx: AgentContext, parts: ReportParts): Promise<ResultEnvelope> {
  const { question, gathered } = parts;
  const byId = new Map(gathered.sources.map((p) => [p.id, p]));
  let synthesis: Synthesis | null = null;
  if (chatConfigured(ctx.endpoints) && gathered.sources.length) {
    ctx.progress({ message: `asking ${ctx.endpoints.chatModel ?? 'the model'} for a synthesis` });
    synthesis = await synthesize(ctx.endpoints, question, gathered.sources, ctx.signal);
  }
  // Sources are numbered in the order the report uses them: the synthesis's citations first.
  const order = synthesis?.kept ? [...synthesis.cited, ...gathered.sources.map((p) => p.id)] : [];
  for (const g of gathered.bySubQuery) order.push(...g.ids);
  const number = new Map<string, number>();
  for (const id of order) if (!number.has(id)) number.set(id, number.size + 1);
  const used = [...number.keys()].map((id) => byId.get(id)!);

  const mode = synthesis?.kept ? 'synthesis' : 'extractive';
  const lines = [`# ${question}`, '', parts.scope, ''];
  if (mode === 'synthesis') {
    lines.push(`_Synthesis by ${synthesis!.model}; every sentence cites a passage below._`, '');
    if (synthesis!.removed.length)
      lines.push(`_${synthesis!.removed.length} sentence(s) without a valid citation were removed._`, '');
    lines.push(numbered(synthesis!.text, number), '');
  } else {
    lines.push(
      synthesis
        ? `_The model's answer had no sentence citing a passage (${synthesis.removed.length} removed); the passages themselves follow._`
        : '_Extractive report (no language model configured): the passages that answer each part of the question._',
      '',
      ...extractiveBody(gathered, number, byId),
    );
  }
  lines.push('## Sources', '');
  if (!used.length) lines.push('_Nothing found._');
  used.forEach((p, i) => lines.push(`${i + 1}. ${p.citation} — \`${p.id}\` — ${p.source}`));
  const file = path.join(ctx.workDir, 'report.md');
  await fs.writeFile(file, `${lines.join('\n').trimEnd()}\n`);

  const sources = used.map((p, i) => ({ n: i + 1, id: p.id, citation: p.citation, source: p.source, ...p.location }));
  return completedEnvelope({
    summary: `${mode} report on “${question}” citing ${used.length} source(s)${synthesis?.removed.length ? `; ${synthesis.removed.length} uncited sentence(s) removed` : ''}`,
    outputs: {
      question,
      mode,
      report: file,
      subQueries: gathered.bySubQuery.map((g) => ({
        query: g.subQuery.query,
        kind: g.subQuery.kind,
        ...(g.subQuery.libraries ? { libraries: g.subQuery.libraries } : {}),
        found: g.found,
        sources: g.ids.map((id) => number.get(id)!),
      })),
      sources,
      ...(synthesis
        ? {
            model: synthesis.model,
            sentences: synthesis.sentences,
            removedSentences: synthesis.removed,
          }
        : {}),
      ...parts.outputs,
    },
    artifacts: [await artifactFromFile(file, 'text/markdown')],
    metrics: {
      ...parts.metrics,
      subQueries: gathered.bySubQuery.length,
      sources: used.length,
      duplicates: gathered.duplicates,
      ...(synthesis
        ? {
            sentences: synthesis.sentences,
            uncitedSentencesRemoved: synthesis.removed.length,
            promptTokens: synthesis.promptTokens,
            completionTokens: synthesis.completionTokens,
          }
        : {}),
    },
  });
}
