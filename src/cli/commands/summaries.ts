/**
 * One line per top-level command: what `bosun --help` lists without loading any command's
 * module (and so none of the layers they import), and the description each module gives its
 * command when it does load.
 */
export const commandSummaries = {
  init: 'create $BOSUN_HOME (folders and a commented config.yaml)',
  quickstart:
    "set everything up on embedded defaults: home, database, migrations, doctor, Bosun's own documentation indexed and served",
  up: 'start the embedded PostgreSQL server (if needed) and apply migrations',
  down: 'stop the embedded PostgreSQL server cleanly',
  status: 'show the database mode, server, migrations and workers (starts nothing)',
  doctor: 'check Node, PostgreSQL, DuckDB, the lake folder and optional tools; exit 1 only if a required part fails',
  config: 'show, read and change configuration ($BOSUN_HOME/config.yaml)',
  worker: 'run the job queue (docs syncs, agent runs, schedules) in the foreground until Ctrl-C',
  lake: 'the DuckLake lake: tables, snapshots, SQL, import, maintenance',
  mcp: 'MCP servers for AI assistants, and client configuration',
  docs: 'documentation libraries: add, sync, inspect, schedule',
  templates: 'project templates: list, show and validate',
  project: 'projects: create, follow and move through planning → execution → documentation → archiving',
  task: 'tasks: add, list, show, claim, complete, fail, cancel, retry',
  schedules: 'recurring jobs on the queue (infra schedules and docs syncs): list with health and last runs, remove',
  agents: 'agents: list, inspect, check what is usable here, export, run one skill',
  ui: 'serve the local dashboard on 127.0.0.1 (projects, tasks, agents, docs, lake); prints its URL',
} as const;

export type CommandName = keyof typeof commandSummaries;
