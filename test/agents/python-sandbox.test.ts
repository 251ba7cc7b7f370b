import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAgent, type AgentRegistry } from '../../src/agents/index.js';
import { sandboxSupport } from '../../src/exec/index.js';
import { agentsFixture, type AgentsFixture } from './fixtures.js';

/**
 * The escapes of issue 11 replayed through python.run: each snippet is what an attacker's code
 * did against the first sandbox (unshare as root), and each printed "escaped" there.
 */
const support = await sandboxSupport();

interface Outputs {
  stdout: string;
  stderr: string;
  result: Record<string, unknown> | null;
  sandbox: Record<string, unknown>;
}

describe('the Python sandbox against the reproductions of issue 11', () => {
  let f: AgentsFixture;
  let registry: AgentRegistry;
  let scratch: string;
  let holder: ChildProcess;
  let n = 0;
  const credentials = () => path.join(f.home, 'postgres', 'credentials.json');
  const run = async (input: Record<string, unknown>) => {
    const workDir = path.join(scratch, `run-${++n}`);
    fs.mkdirSync(workDir, { recursive: true });
    const envelope = await executeAgent({
      registry,
      agentId: 'python',
      skillId: 'python.run',
      input,
      workDir,
      scope: 'sandbox',
      noCache: true,
    });
    return { envelope, outputs: envelope.outputs as unknown as Outputs };
  };

  beforeAll(async () => {
    f = await agentsFixture();
    registry = await f.open();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-sandbox-'));
    // What the embedded server keeps: the password of Bosun's database.
    fs.mkdirSync(path.dirname(credentials()), { recursive: true });
    fs.writeFileSync(credentials(), JSON.stringify({ url: f.db.url }), { mode: 0o600 });
    // A Bosun process with a secret in its environment, as `bosun task run` has.
    holder = spawn('sleep', ['60'], { env: { ...process.env, BOSUN_TEST_SECRET: 'hunter2-in-environ' } });
  });
  afterAll(async () => {
    holder.kill('SIGKILL');
    await f.cleanup();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it.skipIf(!support.bubblewrap.ok)('runs the code under bubblewrap and says so', async () => {
    const { envelope, outputs } = await run({ code: 'import os, json\nprint(json.dumps({"uid": os.getuid()}))' });
    expect(envelope.status).toBe('completed');
    expect(outputs.sandbox).toMatchObject({
      isolation: 'bubblewrap',
      fs: 'jail',
      network: 'isolated',
      capabilities: 'none',
    });
    if (process.getuid?.() === 0) {
      expect(outputs.result?.uid).not.toBe(0);
      expect(outputs.sandbox.user).toBe('bosun-sandbox');
    }
  });

  it.skipIf(!support.bubblewrap.ok)(
    'cannot find a Bosun process, setns() into its network namespace and reach PostgreSQL',
    async () => {
      const port = new URL(f.db.url).port;
      const code = `
import ctypes, json, os, socket
libc = ctypes.CDLL(None, use_errno=True)
me = os.readlink("/proc/self/ns/net")
seen, joined = [], None
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    try:
        ns = os.readlink(f"/proc/{pid}/ns/net")
    except OSError:
        continue
    seen.append(int(pid))
    if ns != me and joined is None:
        fd = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY)
        joined = libc.setns(fd, 0x40000000) == 0
s = socket.socket()
s.settimeout(2)
try:
    s.connect(("127.0.0.1", ${port}))
    reached = True
except OSError:
    reached = False
print(json.dumps({"hostPidVisible": ${process.pid} in seen, "joined": joined, "reached": reached}))
`;
      const { envelope, outputs } = await run({ code });
      expect(envelope.status).toBe('completed');
      expect(outputs.result).toEqual({ hostPidVisible: false, joined: null, reached: false });
    },
  );

  it.skipIf(!support.bubblewrap.ok)(
    "cannot read $BOSUN_HOME's credentials.json nor another process's environment",
    async () => {
      const code = `
import glob, json
try:
    secret = open(${JSON.stringify(credentials())}).read()
except OSError as e:
    secret = type(e).__name__
leaks = []
for p in glob.glob("/proc/*/environ"):
    try:
        if b"hunter2-in-environ" in open(p, "rb").read():
            leaks.append(p)
    except OSError:
        pass
print(json.dumps({"credentials": secret, "environLeaks": leaks}))
`;
      const { outputs } = await run({ code });
      expect(outputs.result).toEqual({ credentials: 'FileNotFoundError', environLeaks: [] });
    },
  );

  it.skipIf(!support.bubblewrap.ok || !support.cgroup)(
    `caps memory for the whole run: four children of 400 MB do not all fit in 512 MB (cgroup: ${support.cgroup ?? 'none here, skipped'})`,
    async () => {
      const code = `
import json, os, time
kids = []
for i in range(4):
    pid = os.fork()
    if pid == 0:
        block = bytearray(400 * 1024 * 1024)
        for j in range(0, len(block), 4096):
            block[j] = 1
        time.sleep(1)
        os._exit(0)
    kids.append(pid)
done = 0
for pid in kids:
    _, status = os.waitpid(pid, 0)
    done += os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
print(json.dumps({"completed": done}))
`;
      const { outputs } = await run({ code, memoryMb: 512 });
      expect(outputs.sandbox).toMatchObject({ memory: 'cgroup', memoryLimitMb: 512, oomKilled: true });
      expect(outputs.result?.completed).toBeLessThan(4);
    },
    60_000,
  );

  it.skipIf(!support.bubblewrap.ok || !(support.cgroup || process.getuid?.() === 0))(
    '300 forks do not pass the default cap of 256 processes',
    async () => {
      const code = `
import json, os, time
forked, error = 0, None
try:
    for i in range(300):
        if os.fork() == 0:
            time.sleep(5)
            os._exit(0)
        forked += 1
except OSError as e:
    error = e.errno
print(json.dumps({"forked": forked, "error": error}))
`;
      const { outputs } = await run({ code });
      expect(outputs.sandbox.maxProcesses).toBe(256);
      expect(outputs.result?.forked).toBeLessThan(256);
      expect(outputs.result?.error).toBe(11); // EAGAIN
    },
    60_000,
  );

  it('refuses a memoryMb beyond the manifest cap', async () => {
    const { envelope } = await run({ code: 'print(1)', memoryMb: 262144 });
    expect(envelope.status).toBe('rejected');
    expect(envelope.error?.message).toMatch(/memoryMb.*16384/);
  });
});
