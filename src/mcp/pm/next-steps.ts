import type { NextSteps } from '../tool.js';

/** What the model should do after each kind of PM error, when the error itself has no hint. */
export const pmNextSteps: NextSteps = {
  NOT_FOUND: 'check the name with list_projects or list_tasks, then call again',
  CONFLICT: 'look at the current state with project_overview or task_details, then decide',
  INVALID_INPUT: 'fix the arguments as the message says and call again',
};
