import { BosunError } from '../../core/index.js';
import { ensureLakeTables, type Lake } from '../../lake/index.js';
import type { LoadedTemplate } from './template-set.js';

/**
 * Templates as data: every version a project was created from is kept in the lake table
 * `pm.templates` (id, version, yaml, loaded_at), so the project's pinned version can be read
 * back after the file has moved on. A version is immutable: the same id and version with
 * different YAML is a CONFLICT (bump the version).
 */

const TABLE = 'pm.templates';
const columns = [
  { name: 'id', type: 'VARCHAR' },
  { name: 'version', type: 'VARCHAR' },
  { name: 'yaml', type: 'VARCHAR' },
  { name: 'loaded_at', type: 'TIMESTAMP WITH TIME ZONE' },
];

export async function storedTemplateYaml(lake: Lake, id: string, version: string): Promise<string | null> {
  if (!(await lake.tables()).some((t) => t.name === TABLE)) return null;
  return lake.withReader({}, async (conn) => {
    const reader = await conn.runAndReadAll(`SELECT yaml FROM ${TABLE} WHERE id = $1 AND version = $2 LIMIT 1`, [
      id,
      version,
    ]);
    const row = reader.getRowObjectsJson()[0];
    return row ? String(row.yaml) : null;
  });
}

/** Loads a template version into the lake unless it is there already; returns whether it was added. */
export async function recordTemplateVersion(
  lake: Lake,
  template: Pick<LoadedTemplate, 'id' | 'version' | 'yaml' | 'file'>,
): Promise<boolean> {
  const stored = await storedTemplateYaml(lake, template.id, template.version);
  if (stored === template.yaml) return false;
  if (stored !== null) {
    throw new BosunError(
      'CONFLICT',
      `template ${template.id} v${template.version} differs from the copy loaded earlier`,
      {
        hint: `a version never changes: give ${template.file} a new version`,
      },
    );
  }
  await ensureLakeTables(lake, [{ name: TABLE, columns }], { author: 'bosun pm', message: `create ${TABLE}` });
  await lake.append(
    TABLE,
    [{ id: template.id, version: template.version, yaml: template.yaml, loaded_at: new Date() }],
    {
      author: 'bosun pm',
      message: `load template ${template.id} v${template.version}`,
    },
  );
  return true;
}
