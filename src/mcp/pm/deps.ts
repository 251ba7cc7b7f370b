import type { ChatEndpoint, PlannableSkill, PmContext } from '../../pm/index.js';

/** What the PM server needs: the project manager, where artifacts go, and the answer budget. */
export interface PmServerDeps {
  pm: PmContext;
  artifactsDir: string;
  /** Tokens per answer (config mcp.tokenBudget). */
  tokenBudget: number;
  /** What `plan_project` asks: the configured chat model (null: none) and the registry's skills. */
  planner: { chat: ChatEndpoint | null; skills: () => Promise<PlannableSkill[]> };
}
