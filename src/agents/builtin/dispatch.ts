import { BosunError } from '../../core/index.js';
import type { AgentContext, AgentExecutor } from '../runtime/types.js';

/**
 * A built-in agent whose skills are separate functions: the run goes to the skill's function,
 * and a skill the agent does not have is bad input (the registry checks skills before a run, so
 * this is reached only by a manifest naming a skill the code lacks).
 */
export function skillDispatcher(
  agent: string,
  skills: Readonly<Record<string, (ctx: AgentContext) => Promise<unknown>>>,
): AgentExecutor {
  return {
    run(ctx) {
      const skill = skills[ctx.skillId];
      if (!skill)
        throw new BosunError('INVALID_INPUT', `the ${agent} agent has no skill '${ctx.skillId}'`, {
          details: { retryable: false },
        });
      return skill(ctx);
    },
  };
}
