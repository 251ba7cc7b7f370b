import type { BoundDataset } from './datasets.js';
import type { Profile } from './profile.js';
import type { RuleResult } from './quality.js';

const cell = (v: unknown): string =>
  (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v))
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');

function table(headers: string[], rows: unknown[][]): string {
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** The markdown report of one data.quality run: the rules first (what decides), then the profile. */
export function qualityReport(dataset: BoundDataset, profile: Profile | null, results: readonly RuleResult[]): string {
  const at = dataset.snapshotId !== undefined ? ` at snapshot ${dataset.snapshotId}` : '';
  const out = [`# Data quality: ${dataset.ref}${at}`, ''];
  if (profile) out.push(`${profile.rows} rows, ${profile.columns.length} columns.`, '');
  if (results.length) {
    out.push('## Rules', '');
    out.push(
      table(
        ['rule', 'severity', 'result', 'failing rows', 'detail'],
        results.map((r) => [r.name, r.severity, r.passed ? 'pass' : 'FAIL', r.failingRows ?? '', r.message]),
      ),
      '',
    );
    for (const r of results.filter((x) => x.sample.length)) {
      out.push(`### ${r.name}: sample of failing rows`, '');
      const headers = Object.keys(r.sample[0]!);
      out.push(
        table(
          headers,
          r.sample.map((s) => headers.map((h) => s[h])),
        ),
        '',
      );
    }
  }
  if (profile) {
    out.push('## Profile', '');
    out.push(
      table(
        ['column', 'type', 'nulls', 'distinct≈', 'min', 'max', 'mean', 'stddev', 'median≈', 'top values'],
        profile.columns.map((c) => [
          c.name,
          c.type,
          c.nulls,
          c.distinct,
          c.min,
          c.max,
          c.mean === undefined || c.mean === null ? '' : c.mean.toPrecision(6),
          c.stddev === undefined || c.stddev === null ? '' : c.stddev.toPrecision(6),
          c.quantiles?.q50 ?? '',
          c.top.slice(0, 5).join(', '),
        ]),
      ),
      '',
    );
  }
  return out.join('\n');
}
