import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIStub, type OpenAIStub } from '../agents/openai-stub.js';
import { runBosun } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { tempHome } from './helpers.js';

/** `bosun project plan` against a loopback server speaking the chat-completions protocol. */
describe('bosun project plan (a model plans from a brief)', { timeout: 240_000 }, () => {
  const home = tempHome();
  let db: TestDatabase;
  let stub: OpenAIStub;
  const brief = path.join(home.paths.home, 'brief.md');
  const bosun = (withModel: boolean, ...args: string[]) =>
    runBosun([...args, '--json'], {
      home: home.paths.home,
      env: {
        BOSUN_DATABASE_URL: db.url,
        ...(withModel ? { BOSUN_ENDPOINTS_CHAT_URL: stub.baseUrl, BOSUN_ENDPOINTS_CHAT_MODEL: 'planner-7b' } : {}),
      },
    });
  const answer = (plan: unknown) => ({ message: { content: JSON.stringify(plan) } });
  const tasksOf = async (slug: string) =>
    (await bosun(false, 'task', 'list', '--project', slug)).json.tasks as { ref: string; skill: string }[];

  const valid = {
    tasks: [
      { key: 'count', title: 'Count the rows', skill: 'python.run', inputs: { code: 'print(41 + 1)' } },
      { key: 'done', title: 'Sign off', skill: 'flow.join', dependsOn: ['count'] },
    ],
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    stub = await startOpenAIStub();
    fs.writeFileSync(brief, '# Row count\n\nCount the rows of the orders export, then sign off.\n');
  });
  afterAll(async () => {
    await stub.close();
    await db.drop();
    home.remove();
  });

  it('without a model says so, points to the templates, and adds nothing', async () => {
    expect((await bosun(false, 'project', 'new', 'nomodel')).exitCode).toBe(0);
    const r = await bosun(false, 'project', 'plan', 'nomodel', '--brief', brief);
    expect(r.exitCode).toBe(5);
    expect(r.json.error.code).toBe('NO_MODEL');
    expect(r.json.error.hint).toContain('--template');
    expect(await tasksOf('nomodel')).toEqual([]);
  });

  it('refuses a plan with an unknown skill, a cycle and a missing input, sends the reasons back, and adds the corrected plan', async () => {
    expect((await bosun(false, 'project', 'new', 'rows')).exitCode).toBe(0);
    const before = stub.chats.length;
    stub.chatScript.push(
      answer({
        tasks: [
          { key: 'a', title: 'A', skill: 'nope.run', dependsOn: ['b'] },
          { key: 'b', title: 'B', skill: 'python.run', inputs: {}, dependsOn: ['a'] },
        ],
      }),
      // A 429 with Retry-After is waited out, not counted as an answer.
      { status: 429, headers: { 'retry-after': '0' } },
      { message: { content: '```json\n' + JSON.stringify(valid) + '\n```' } },
    );
    const r = await bosun(true, 'project', 'plan', 'rows', '--brief', brief);
    expect(r.exitCode, JSON.stringify(r.json)).toBe(0);
    expect(r.json.model).toBe('planner-7b');
    expect(r.json.tasks.map((t: { key: string; skill: string }) => [t.key, t.skill])).toEqual([
      ['count', 'python.run'],
      ['done', 'flow.join'],
    ]);
    const [first, second] = r.json.attempts as { problems: string[]; calls: { status: number }[] }[];
    expect(first!.problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining("unknown skill 'nope.run'"),
        expect.stringContaining('python.run needs the input(s) code or file'),
        expect.stringContaining('dependency cycle: a → b → a'),
      ]),
    );
    expect(second!.problems).toEqual([]);
    expect(second!.calls.map((c) => c.status)).toEqual([429, 200]);

    // What the model saw: the skills with their required inputs, then its refusal reasons.
    const sent = stub.chats.slice(before);
    expect(sent).toHaveLength(3);
    expect(sent[0]!.body.messages[0]!.content).toContain('- python.run:');
    expect(sent[0]!.body.messages[1]!.content).toContain('Count the rows of the orders export');
    const correction = sent[2]!.body.messages.at(-1)!.content!;
    expect(correction).toContain("unknown skill 'nope.run'");
    expect(r.json.transcript.map((m: { role: string }) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'user',
      'assistant',
    ]);

    const shown = await bosun(false, 'task', 'show', 'rows#2');
    expect(shown.json.upstream.map((u: { ref: string }) => u.ref)).toEqual(['rows#1']);
    const notes = await db.pool.query<{ kind: string; body: string }>(
      `SELECT n.kind, n.body FROM bosun.note n JOIN bosun.project p ON p.id = n.project_id WHERE p.slug = 'rows'`,
    );
    expect(notes.rows).toEqual([
      {
        kind: 'decision',
        body: expect.stringMatching(
          /^Planned from the brief by planner-7b: 2 task\(s\) \(rows#1, rows#2\)\.\nAnswer 1 was refused: /,
        ),
      },
    ]);
  });

  it('gives up after a second refused answer and adds nothing', async () => {
    expect((await bosun(false, 'project', 'new', 'twice')).exitCode).toBe(0);
    stub.chatScript.push({ message: { content: 'I would start by counting.' } }, answer({ tasks: [] }));
    const r = await bosun(true, 'project', 'plan', 'twice', '--brief', brief);
    expect(r.exitCode).toBe(1);
    expect(r.json.error.code).toBe('PLAN_REJECTED');
    expect(r.json.error.message).toContain('a plan has at least one task');
    expect(await tasksOf('twice')).toEqual([]);
  });
});
