import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { builtinManifestDir, parseManifest, validateJson } from '../../src/agents/index.js';
import { builtinAgents } from '../../src/agents/builtin/index.js';
import { isBosunError } from '../../src/core/index.js';
import { agentsFixture, type AgentsFixture } from './fixtures.js';

const minimal = (id: string, extra = '') => `id: ${id}
name: ${id}
tier: general
version: 1.0.0
description: a test agent
executor: { kind: assistant }
skills:
  - id: ${id}.work
    name: Work
    description: does work
${extra}`;

async function loadError(f: AgentsFixture): Promise<string> {
  try {
    await f.open();
  } catch (err) {
    if (isBosunError(err, 'INVALID_INPUT')) return err.message;
    throw err;
  }
  throw new Error('the registry opened although a manifest is invalid');
}

describe('manifest validation', () => {
  let f: AgentsFixture;
  beforeEach(async () => {
    f = await agentsFixture();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('every built-in manifest is valid', async () => {
    const files = fs.readdirSync(builtinManifestDir()).filter((n) => n.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const file of files) {
      const full = path.join(builtinManifestDir(), file);
      const manifest = parseManifest(fs.readFileSync(full, 'utf8'), full);
      expect(`${manifest.id}.yaml`).toBe(file);
    }
  });

  it('names the file and the key of each problem, with the skill id', async () => {
    const file = f.addUserManifest(
      'broken.yaml',
      `id: Broken Agent
name: broken
tier: specialist
description: x
version: one
executor: { kind: builtin }
skills:
  - id: fine.skill
    name: ok
    description: ok
  - id: bad
    name: bad
    description: bad
    timeoutSeconds: -1
    accepts: [fax]
`,
    );
    const message = await loadError(f);
    expect(message).toContain(file);
    expect(message).toMatch(/(^|; |: )id: use lowercase letters/);
    expect(message).toContain('tier: Invalid enum value');
    expect(message).toContain('version: expected a version');
    expect(message).toContain('executor.module: Required');
    expect(message).toContain('skills[1] (bad).id: use dotted lowercase words');
    expect(message).toContain('skills[1] (bad).timeoutSeconds');
    expect(message).toContain('skills[1] (bad).accepts.0');
  });

  it('rejects unknown keys, unsupported JSON Schema keywords and duplicate skills', async () => {
    f.addUserManifest(
      'extra.yaml',
      minimal(
        'extra',
        `    inputSchema: { type: object, properties: { n: { type: integer, multipleOf: 2 } } }
  - id: extra.work
    name: again
    description: again
colour: blue
`,
      ),
    );
    const message = await loadError(f);
    expect(message).toContain("Unrecognized key(s) in object: 'colour'");
    expect(message).toContain(
      "skills[0] (extra.work).inputSchema.properties.n: Unrecognized key(s) in object: 'multipleOf'",
    );
    expect(message).toContain("skills[1] (extra.work).id: duplicate skill id 'extra.work'");
  });

  it('reports every bad file at once, and YAML syntax errors with the file', async () => {
    const a = f.addUserManifest('a.yaml', 'id: [unclosed\n');
    const b = f.addUserManifest('b.yaml', minimal('b').replace('kind: assistant', 'kind: builtin, module: nosuch'));
    const c = f.addUserManifest('c.yaml', minimal('b'));
    const d = f.addUserManifest('d.yaml', minimal('dup'));
    const e = f.addUserManifest('e.yaml', minimal('dup'));
    const message = await loadError(f);
    expect(message).toMatch(/^\d+ invalid agent manifests:/);
    expect(message).toContain(`${a}: not valid YAML`);
    // The known list grows with every built-in agent; it is the registered modules, sorted.
    const known = Object.keys(builtinAgents).sort().join(', ');
    expect(message).toContain(`${b}: executor.module: unknown built-in module 'nosuch' (known: ${known})`);
    expect(message).toContain(`${e}: id: agent 'dup' is already declared in ${d}`);
    expect(message).not.toContain(`${c}:`);
    // Nothing was synced: the registry tables are still empty.
    const rows = await f.db.pool.query('SELECT count(*)::int AS n FROM bosun.agent');
    expect(rows.rows[0].n).toBe(0);
  });

  it('a user manifest overrides the built-in one with the same id, and the database follows', async () => {
    const builtin = parseManifest(fs.readFileSync(path.join(builtinManifestDir(), 'sql.yaml'), 'utf8'), 'sql.yaml');
    const file = f.addUserManifest('my-sql.yaml', minimal('sql').replace('version: 1.0.0', 'version: 9.9.9'));
    let registry = await f.open();
    const sql = registry.get('sql');
    expect(sql.source).toBe('user');
    expect(sql.file).toBe(file);
    expect(sql.overrides).toBe(path.join(builtinManifestDir(), 'sql.yaml'));
    expect(sql.manifest.skills.map((s) => s.id)).toEqual(['sql.work']);
    const row = await f.db.pool.query(`SELECT version, source FROM bosun.agent WHERE id = 'sql'`);
    expect(row.rows[0]).toEqual({ version: '9.9.9', source: 'user' });
    const skills = await f.db.pool.query(
      `SELECT skill_id, active FROM bosun.agent_skill WHERE agent_id = 'sql' ORDER BY skill_id`,
    );
    expect(skills.rows).toEqual([{ skill_id: 'sql.work', active: true }]);

    // Removing the override brings the built-in back; the user's skill stays as an inactive row.
    fs.rmSync(file);
    registry = await f.open();
    expect(registry.get('sql').manifest.version).toBe(builtin.version);
    const after = await f.db.pool.query(
      `SELECT skill_id, active FROM bosun.agent_skill WHERE agent_id = 'sql' ORDER BY skill_id`,
    );
    const expected = [
      ...builtin.skills.map((s) => ({ skill_id: s.id, active: true })),
      { skill_id: 'sql.work', active: false },
    ].sort((a, b) => a.skill_id.localeCompare(b.skill_id));
    expect(expected.map((r) => r.skill_id)).toContain('sql.query');
    expect(after.rows).toEqual(expected);
  });

  it('syncs agents and skills with their availability', async () => {
    f.addUserManifest(
      'needs-tool.yaml',
      minimal('needs-tool', '').replace(
        'executor: { kind: assistant }',
        'executor: { kind: assistant }\nrequires:\n  commands:\n    - { name: bosun-no-such-tool-x, package: bosun-x }',
      ),
    );
    const registry = await f.open();
    expect(registry.get('needs-tool').availability).toMatchObject({
      available: false,
      reasons: ['bosun-no-such-tool-x missing (apt-get install -y bosun-x)'],
    });
    const row = await f.db.pool.query(`SELECT available, unavailable_reasons FROM bosun.agent WHERE id = 'needs-tool'`);
    expect(row.rows[0]).toEqual({
      available: false,
      unavailable_reasons: ['bosun-no-such-tool-x missing (apt-get install -y bosun-x)'],
    });
    const count = await f.db.pool.query(`SELECT count(*)::int AS n FROM bosun.agent_skill WHERE active`);
    expect(count.rows[0].n).toBe(registry.list().reduce((n, a) => n + a.manifest.skills.length, 0));
  });
});

describe('JSON Schema subset', () => {
  const schema = YAML.parse(`
type: object
additionalProperties: false
oneOf: [{ required: [code] }, { required: [file] }]
properties:
  code: { type: string, minLength: 1 }
  file: { type: string }
  args: { type: array, items: { type: string }, default: [] }
  level: { enum: [low, high], default: low }
  n: { type: integer, minimum: 1, maximum: 5 }
  url: { type: string, format: uri, pattern: "^https?://" }
`);

  it('fills defaults and accepts a valid value', () => {
    expect(validateJson(schema, { code: 'x' })).toEqual({ value: { code: 'x', args: [], level: 'low' }, errors: [] });
  });

  it('reports each problem with its key', () => {
    const { errors } = validateJson(
      schema,
      { code: '', file: 'a.py', args: [1], n: 2.5, url: 'ftp://x', colour: 'red' },
      'input',
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        'input.code: must be at least 1 characters',
        'input.args[0]: expected string, got integer',
        'input.n: expected integer, got number',
        'input.url: must match /^https?:///',
        "input: unknown key 'colour' (known: code, file, args, level, n, url)",
        'input: must match exactly one of: {code} | {file} (matches 2)',
      ]),
    );
    expect(validateJson(schema, {}, 'input').errors).toEqual([
      'input: must match exactly one of: {code} | {file} (matches 0)',
    ]);
    expect(validateJson(schema, { file: 'x', level: 'mid' }, 'input').errors).toEqual([
      'input.level: must be one of "low", "high"',
    ]);
  });
});
