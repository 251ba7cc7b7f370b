import fs from 'node:fs/promises';
import path from 'node:path';
import { artifactFromFile, completedEnvelope, type Artifact, type ResultEnvelope } from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';
import { artifactBase, readDocuments, type ReadDocument } from './read.js';
import type { DocumentsInput } from './input.js';
import { extractFields } from './structure/fields.js';
import { checkTotals, extractLineItems } from './structure/line-items.js';
import { pageRows } from './structure/rows.js';
import { extractSections } from './structure/sections.js';
import { extractTables, tableCsv } from './structure/tables.js';

type Kind = 'invoice' | 'receipt' | 'report' | 'form';

/** What a document is when the input says `auto`: its own words decide. */
function guessKind(text: string, fieldCount: number): Kind {
  if (/\b(invoice|rechnung|facture)\b/i.test(text)) return 'invoice';
  if (/\b(receipt|thank you for your purchase|cashier)\b/i.test(text)) return 'receipt';
  if (fieldCount >= 5) return 'form';
  return 'report';
}

/** Sections, tables, fields and (for invoices and receipts) line items with their total check, of one document. */
export function documentStructure(r: ReadDocument, requested: DocumentsInput['kind']) {
  const rows = r.doc.pages.flatMap(pageRows);
  const fields = extractFields(rows);
  const kind = requested && requested !== 'auto' ? requested : guessKind(r.doc.text, Object.keys(fields).length);
  const tables = extractTables(rows);
  const billing = kind === 'invoice' || kind === 'receipt';
  const lineItems = billing ? extractLineItems(tables) : [];
  return {
    kind,
    sections: extractSections(rows),
    tables,
    fields,
    ...(billing ? { line_items: lineItems, total_check: checkTotals(lineItems, fields) } : {}),
  };
}

export async function structureSkill(ctx: AgentContext, input: DocumentsInput): Promise<ResultEnvelope> {
  const read = await readDocuments(ctx, input);
  const single = read.length === 1;
  const artifacts: Artifact[] = [];
  const results = [];
  for (const r of read) {
    const s = documentStructure(r, input.kind);
    const base = artifactBase(ctx, r, single);
    const tables = [];
    for (const [i, t] of s.tables.entries()) {
      const csv = `${base}.table-${i + 1}.csv`;
      await fs.mkdir(path.dirname(csv), { recursive: true });
      await fs.writeFile(csv, tableCsv(t));
      const artifact = await artifactFromFile(
        csv,
        'text/csv',
        path.relative(ctx.workDir, csv).split(path.sep).join('/'),
      );
      artifacts.push(artifact);
      tables.push({ page: t.page, columns: t.rows[0]!.length, rows: t.rows, csv: artifact.name });
    }
    results.push({ file: r.name, ...s, tables });
  }
  const outFile = single
    ? `${artifactBase(ctx, read[0]!, true)}.structure.json`
    : path.join(ctx.workDir, 'structure.json');
  await fs.writeFile(outFile, JSON.stringify(single ? results[0] : results, null, 1));
  artifacts.push(await artifactFromFile(outFile, 'application/json', path.basename(outFile)));
  const first = results[0]!;
  const items = results.reduce((n, r) => n + (r.line_items?.length ?? 0), 0);
  const check = single && first.total_check ? `; total check: ${first.total_check.message}` : '';
  return completedEnvelope({
    summary: `${single ? `${first.file} (${first.kind})` : `${results.length} documents`}: ${results.reduce((n, r) => n + r.sections.length, 0)} sections, ${results.reduce((n, r) => n + r.tables.length, 0)} tables, ${results.reduce((n, r) => n + Object.keys(r.fields).length, 0)} fields${items ? `, ${items} line items` : ''}${check}`,
    outputs: single ? first : { documents: results },
    artifacts,
    metrics: {
      documents: results.length,
      tables: results.reduce((n, r) => n + r.tables.length, 0),
      lineItems: items,
      ...(single && first.total_check ? { totalCheckOk: first.total_check.ok ? 1 : 0 } : {}),
    },
  });
}
