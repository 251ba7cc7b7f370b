import { testJobTypes, type JobType } from './queue/index.js';
import { docsJobTypes } from './docs/index.js';
import { infraScheduleJobTypes } from './agents/index.js';
import { jobTaskRaiser, pmJobTypes } from './pm/index.js';

/** Every job type `bosun worker` runs; later layers add theirs here. */
export const allJobTypes: readonly JobType<never>[] = [
  ...testJobTypes,
  ...docsJobTypes,
  ...pmJobTypes,
  // The infra agent's schedules raise their tasks through the PM, wired here: agents/ cannot import pm/.
  ...infraScheduleJobTypes(jobTaskRaiser),
];
