import { BosunError } from '../../core/index.js';
import type { AgentContext, AgentExecutor } from '../runtime/types.js';

/**
 * A built-in agent whose skills are separate functions: the run goes to the skill's function,
 * and a skill the agent does not have is bad input (the registry checks skills before a run, so
 * this is reached only by a manifest naming a skill the code lacks). `onError` turns what a
 * skill throws into its own envelope (a clearer one than the runtime's generic failure).
 */
export function skillDispatcher(
  agent: string,
  skills: Readonly<Record<string, (ctx: AgentContext) => Promise<unknown>>>,
  options: { onError?: (err: unknown) => unknown } = {},
): AgentExecutor {
  return {
    async run(ctx) {
      const skill = skills[ctx.skillId];
      if (!skill)
        throw new BosunError('INVALID_INPUT', `the ${agent} agent has no skill '${ctx.skillId}'`, {
          details: { retryable: false },
        });
      if (!options.onError) return skill(ctx);
      try {
        return await skill(ctx);
      } catch (err) {
        return options.onError(err);
      }
    },
  };
}
