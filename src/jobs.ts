import { testJobTypes, type JobType } from './queue/index.js';
import { docsJobTypes } from './docs/index.js';
import { pmJobTypes } from './pm/index.js';

/** Every job type `bosun worker` runs; later layers add theirs here. */
export const allJobTypes: readonly JobType<never>[] = [...testJobTypes, ...docsJobTypes, ...pmJobTypes];
