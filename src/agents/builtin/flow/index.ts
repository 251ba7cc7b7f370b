import { completedEnvelope } from '../../envelope.js';
import type { AgentContext, AgentExecutor } from '../../runtime/types.js';

/**
 * The flow agent: the steps of a plan that need no work of their own. flow.join completes at
 * once, in the worker's own process (no child process: there is nothing to run), with its
 * inputs, as filled from the tasks it depends on, as its outputs, so the tasks after a join or
 * a milestone read what came before it through it.
 */
export const flowAgent: AgentExecutor = {
  async run(ctx: AgentContext) {
    const names = Object.keys(ctx.input);
    return completedEnvelope({
      summary: names.length ? `passed on ${names.join(', ')}` : 'reached',
      outputs: ctx.input,
    });
  },
};
