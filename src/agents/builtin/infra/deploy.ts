import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parseWith } from '../../../core/index.js';
import { artifactFromFile, completedEnvelope, type ResultEnvelope } from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';

/**
 * infra.deploy: a deployment touches credentials, production and money, which Bosun must not
 * hold or decide alone, so the skill writes the plan a person carries out — the same checklist
 * for the same input — and says that it needs one. The manifest schema has one executor per
 * agent, so routing deploy to an assistant would make the whole agent non-automatic.
 */

const targets = ['docker', 'kubernetes', 'serverless', 'vm'] as const;

export const deployInputSchema = z
  .object({
    service: z.string().min(1),
    target: z.enum(targets),
    environment: z.string().min(1).default('production'),
    image: z.string().min(1).optional(),
    /** A cron expression when the service is a scheduled job. */
    schedule: z.string().min(1).optional(),
    secrets: z.array(z.string().min(1)).default([]),
    health_url: z.string().url().optional(),
  })
  .strict();
type DeployInput = z.output<typeof deployInputSchema>;

interface Step {
  phase: 'prepare' | 'release' | 'verify' | 'rollback';
  action: string;
  /** Needs credentials or a decision only a person has. */
  person: boolean;
}

const byTarget: Record<DeployInput['target'], (i: DeployInput, image: string) => Step[]> = {
  docker: (i, image) => [
    { phase: 'prepare', action: `docker build -t ${image} .`, person: false },
    { phase: 'release', action: `docker push ${image} (registry login needed)`, person: true },
    {
      phase: 'release',
      action: `on the host: docker run -d --name ${i.service} --restart unless-stopped ${image}`,
      person: true,
    },
  ],
  kubernetes: (i, image) => [
    { phase: 'prepare', action: `docker build -t ${image} . && docker push ${image}`, person: true },
    {
      phase: 'prepare',
      action: i.schedule
        ? `write a CronJob manifest for ${i.service} with schedule "${i.schedule}" and image ${image}`
        : `write a Deployment and Service manifest for ${i.service} with image ${image}, resource requests and a readiness probe`,
      person: false,
    },
    { phase: 'release', action: `kubectl --context <${i.environment}> apply -f k8s/`, person: true },
    {
      phase: 'verify',
      action: `kubectl rollout status ${i.schedule ? 'cronjob' : 'deployment'}/${i.service}`,
      person: true,
    },
    { phase: 'rollback', action: `kubectl rollout undo deployment/${i.service}`, person: true },
  ],
  serverless: (i) => [
    { phase: 'prepare', action: `package ${i.service} with its dependencies; pin the runtime version`, person: false },
    {
      phase: 'release',
      action: `deploy the function to ${i.environment} with the provider's CLI (account credentials needed)`,
      person: true,
    },
    { phase: 'rollback', action: 'point the alias back to the previous version', person: true },
  ],
  vm: (i) => [
    {
      phase: 'prepare',
      action: `write a systemd unit for ${i.service}${i.schedule ? ` and a timer on "${i.schedule}"` : ''}`,
      person: false,
    },
    {
      phase: 'release',
      action: `copy the build to the ${i.environment} host and enable the unit (SSH access needed)`,
      person: true,
    },
    {
      phase: 'rollback',
      action: 'keep the previous release folder; switch the symlink back and restart',
      person: true,
    },
  ],
};

export function deployPlan(i: DeployInput): Step[] {
  const image = i.image ?? `${i.service}:<version>`;
  return [
    { phase: 'prepare', action: `run the tests and tag the release of ${i.service}`, person: false },
    ...i.secrets.map((s) => ({
      phase: 'prepare' as const,
      action: `provide secret ${s} in ${i.environment} (never in the repository)`,
      person: true,
    })),
    ...byTarget[i.target](i, image),
    i.health_url
      ? { phase: 'verify' as const, action: `check ${i.health_url} answers 2xx`, person: false }
      : { phase: 'verify' as const, action: `check ${i.service} answers and its logs are clean`, person: true },
    ...(i.schedule
      ? [
          {
            phase: 'verify' as const,
            action: `schedule its health check: infra.monitor on the job's schedule`,
            person: false,
          },
        ]
      : []),
  ];
}

export async function runDeploySkill(ctx: AgentContext): Promise<ResultEnvelope> {
  const input = parseWith(deployInputSchema, ctx.input, 'infra.deploy input');
  const steps = deployPlan(input);
  const lines = [
    `# Deploy ${input.service} to ${input.environment} (${input.target})`,
    '',
    'Bosun does not deploy: the steps marked **person** need credentials or a decision.',
    '',
    ...steps.map((s) => `- [ ] **${s.phase}**${s.person ? ' (person)' : ''}: ${s.action}`),
    '',
  ];
  const file = path.join(ctx.workDir, 'deploy-plan.md');
  await fs.writeFile(file, lines.join('\n'));
  return completedEnvelope({
    summary: `deployment plan for ${input.service} (${input.target}, ${input.environment}): ${steps.length} steps, ${steps.filter((s) => s.person).length} need a person`,
    outputs: { needsPerson: true, steps },
    artifacts: [await artifactFromFile(file, 'text/markdown')],
    metrics: { steps: steps.length },
  });
}
