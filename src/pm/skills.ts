import { BosunError } from '../core/index.js';

/**
 * The skill ids tasks and templates may ask for: dotted, stable, and the same ids the agents
 * layer's manifests declare. This list is the one place they are named on the PM side; a task
 * or template step with any other skill is rejected with this list in the hint.
 */
export const knownSkills = {
  'python.run': 'run a Python snippet, file or script in the project virtual environment',
  'sql.query': 'run SQL against a database or files (DuckDB, PostgreSQL)',
  'data.ingest': 'fetch and land data from a source (files, APIs, databases)',
  'data.transform': 'clean, reshape and join datasets',
  'data.quality': 'profile a dataset and check it against expectations',
  'data.synthetic': 'generate synthetic data that follows a schema or a sample',
  'docs.write': 'write documentation, reports and summaries in markdown',
  'youtube.metadata': 'title, channel, duration, chapters and description of a video',
  'youtube.transcript': 'transcript of a video (captions, else speech to text)',
  'youtube.summary': 'summary of a video, per chapter',
  'ocr.extract': 'text from scanned documents and images',
  'doc.structure': 'structure from documents: sections, tables, fields',
  'web.scrape': 'fetch pages and extract structured records',
  'gpu.run': 'run a CUDA or GPU workload',
  'ml.train': 'train a model',
  'ml.evaluate': 'evaluate a model on held-out data',
  'ml.predict': 'apply a trained model to new rows',
  'notebook.run': 'execute a Jupyter notebook headless with parameters',
  'viz.chart': 'charts and dashboards from data',
  'viz.dashboard': 'a static dashboard site of charts and tables',
  'infra.deploy': 'plan the deployment of a service, job or model (a person carries it out)',
  'infra.monitor': "report a schedule's health and raise a task when it breaks",
  'infra.schedule': 'run a command or a task on a cron schedule',
  'infra.mcp_scaffold': 'generate a standalone MCP server project',
  'research.docs': 'research a question in the documentation libraries, with cited passages',
  'research.web': 'research a question on given web pages, with cited passages',
  'test.run': 'run a test suite and report the results',
  'flow.join': 'a join or milestone of a plan: completes once its dependencies have, passing its inputs on',
} as const satisfies Record<string, string>;

export type SkillId = keyof typeof knownSkills;

export function isKnownSkill(id: string): id is SkillId {
  return Object.hasOwn(knownSkills, id);
}

/** Returns the skill, or throws INVALID_INPUT naming the known ones. */
export function assertKnownSkill(id: string, where: string): SkillId {
  if (isKnownSkill(id)) return id;
  throw new BosunError('INVALID_INPUT', `unknown skill '${id}' in ${where}`, {
    hint: `known skills: ${Object.keys(knownSkills).join(', ')}`,
    details: { skill: id, knownSkills: Object.keys(knownSkills) },
  });
}
