import path from 'node:path';
import { DEFAULT_ENV_ALLOWLIST } from '../../exec/index.js';
import { failedEnvelope } from '../envelope.js';
import type { AgentExecutor, AgentContext } from './types.js';

/** An envelope is small; a command printing more than this is not printing one. */
const MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;

/**
 * A command-line agent: argv run as is (no shell) in the work dir, the request as JSON on stdin
 * (`{ agentId, skillId, input, workDir, scope }`), the envelope as JSON on stdout (the whole
 * output, or its last line after progress lines); stderr lines go to the log. Arguments that
 * start with ./ or ../ are relative to the manifest's folder, so an agent can ship its script
 * next to its manifest.
 */
export function commandExecutor(spec: { argv: string[]; envAllowlist: string[] }, manifestFile: string): AgentExecutor {
  const base = path.dirname(manifestFile);
  const argv = spec.argv.map((a) => (a.startsWith('./') || a.startsWith('../') ? path.resolve(base, a) : a));
  return {
    async run(ctx: AgentContext): Promise<unknown> {
      const request = {
        agentId: ctx.agentId,
        skillId: ctx.skillId,
        input: ctx.input,
        workDir: ctx.workDir,
        scope: ctx.scope,
      };
      const result = await ctx.exec.runCommand(argv[0]!, argv.slice(1), {
        cwd: ctx.workDir,
        input: JSON.stringify(request),
        timeoutMs: ctx.timeoutMs,
        signal: ctx.signal,
        maxOutputBytes: MAX_ENVELOPE_BYTES,
        envAllowlist: [...DEFAULT_ENV_ALLOWLIST, ...spec.envAllowlist],
        env: { BOSUN_WORK_DIR: ctx.workDir, BOSUN_AGENT: ctx.agentId, BOSUN_SKILL: ctx.skillId },
        onStderrLine: (line) => ctx.logger.info({ stream: 'stderr' }, line),
      });
      if (result.timedOut) {
        return failedEnvelope({
          code: 'TIMEOUT',
          message: `${ctx.agentId} timed out after ${ctx.timeoutMs} ms`,
          retryable: true,
        });
      }
      // Cancelled or past the run's deadline: the runtime reports which.
      if (result.aborted)
        return failedEnvelope({ code: 'CANCELED', message: `${ctx.agentId} was stopped`, retryable: true });
      if (result.stdoutTruncated) {
        return failedEnvelope({
          code: 'INVALID_ENVELOPE',
          message: `${ctx.agentId} printed ${result.stdoutBytes} bytes, more than an envelope can be`,
          retryable: false,
        });
      }
      try {
        return ctx.exec.parseJsonOutput(result.stdout, `${ctx.agentId}'s output`, { lastLine: true });
      } catch (err) {
        if (result.ok) {
          return failedEnvelope({
            code: 'INVALID_ENVELOPE',
            message: `${ctx.agentId} printed no JSON envelope: ${(err as Error).message}`,
            retryable: false,
          });
        }
        const tail = result.stderr.trim().split('\n').slice(-5).join('\n');
        const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
        return failedEnvelope({
          code: 'AGENT_CRASHED',
          message: `${ctx.agentId} ${how} without an envelope${tail ? `: ${tail}` : ''}`,
          retryable: true,
        });
      }
    },
  };
}
