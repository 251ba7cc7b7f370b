import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestLake, filesUnder, type TestLake } from './support.js';

/** A column type is given as text and spliced into SQL: it must name one type, never add columns. */
describe('lake column types given as text', () => {
  let t: TestLake;
  beforeAll(async () => {
    t = await createTestLake();
    await t.lake.createSchema('types');
    await t.lake.createTable('types.base', [{ name: 'id', type: 'BIGINT' }]);
  });
  afterAll(async () => t.close());

  const state = async () => ({ snapshot: await t.lake.latestSnapshotId(), files: filesUnder(t.dataPath) });

  const smuggled = [
    'INTEGER) AS evil, CAST(NULL AS VARCHAR',
    'INTEGER) AS "evil", CAST(NULL AS VARCHAR',
    '"(" INTEGER) AS evil, CAST(NULL AS VARCHAR',
    'INT)',
    'INTEGER, evil VARCHAR',
  ];

  it.each(smuggled.map((type, i) => [type, i] as const))(
    'refuses %j in a new table and changes nothing',
    async (type, i) => {
      const before = await state();
      await expect(t.lake.createTable(`types.t${i}`, [{ name: 'a', type }])).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
      expect(await state()).toEqual(before);
    },
  );

  it.each(smuggled)('refuses %j in an added column and changes nothing', async (type) => {
    const before = await state();
    await expect(t.lake.addColumn('types.base', { name: 'a', type })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(await state()).toEqual(before);
  });

  it('still takes nested types with commas and parentheses', async () => {
    await t.lake.createTable('types.nested', [
      { name: 's', type: 'STRUCT(lang VARCHAR, "code)" BOOLEAN)' },
      { name: 'm', type: 'MAP(VARCHAR, INTEGER)' },
      { name: 'd', type: 'DECIMAL(10, 2)' },
      { name: 'l', type: 'FLOAT[3]' },
    ]);
    await t.lake.addColumn('types.nested', { name: 'u', type: 'STRUCT(a INTEGER, b VARCHAR[])' });
  });
});
