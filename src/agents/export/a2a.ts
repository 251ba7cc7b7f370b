import type { AgentRegistry, RegisteredAgent } from '../registry/registry.js';

/**
 * Agents as A2A agent cards (protocol 0.3). Bosun does not serve A2A itself, so `url` names the
 * agent (`urn:bosun:agent:<id>`) unless a base URL is given; Bosun's own manifest fields travel
 * in an extension of the card's capabilities.
 */
export const A2A_PROTOCOL_VERSION = '0.3.0';
export const BOSUN_CARD_EXTENSION = 'urn:bosun:a2a-extension:agent-manifest:v1';

export interface A2AAgentSkill {
  id: string;
  name: string;
  description: string;
  tags: string[];
  examples: string[];
  inputModes: string[];
  outputModes: string[];
}

export interface A2AAgentCard {
  protocolVersion: string;
  name: string;
  description: string;
  url: string;
  preferredTransport: 'JSONRPC';
  version: string;
  provider?: { organization: string; url: string };
  capabilities: {
    streaming: boolean;
    pushNotifications: boolean;
    stateTransitionHistory: boolean;
    extensions: { uri: string; description: string; required: boolean; params: Record<string, unknown> }[];
  };
  defaultInputModes: string[];
  defaultOutputModes: string[];
  skills: A2AAgentSkill[];
}

const unique = (values: string[]) => [...new Set(values)].sort();

function card(agent: RegisteredAgent, baseUrl: string | undefined): A2AAgentCard {
  const m = agent.manifest;
  return {
    protocolVersion: A2A_PROTOCOL_VERSION,
    name: m.name,
    description: m.description,
    url: baseUrl ? `${baseUrl.replace(/\/+$/, '')}/${m.id}` : `urn:bosun:agent:${m.id}`,
    preferredTransport: 'JSONRPC',
    version: m.version,
    ...(m.provider?.url ? { provider: { organization: m.provider.organization, url: m.provider.url } } : {}),
    capabilities: {
      streaming: false,
      pushNotifications: false,
      stateTransitionHistory: false,
      extensions: [
        {
          uri: BOSUN_CARD_EXTENSION,
          description: 'Bosun agent manifest fields: tier, executor, limits, requirements, and per-skill schemas',
          required: false,
          params: {
            id: m.id,
            tier: m.tier,
            executor: m.executor.kind,
            resourceClass: m.resourceClass,
            maxConcurrency: m.maxConcurrency,
            defaultTimeoutSeconds: m.defaultTimeoutSeconds,
            requires: m.requires,
            available: agent.availability.available,
            unavailableReasons: agent.availability.reasons,
            skills: Object.fromEntries(
              m.skills.map((s) => [
                s.id,
                {
                  accepts: s.accepts,
                  inputSchema: s.inputSchema,
                  outputSchema: s.outputSchema,
                  requires: s.requires,
                  timeoutSeconds: s.timeoutSeconds ?? null,
                  cost: s.cost,
                  cacheable: s.cacheable,
                },
              ]),
            ),
          },
        },
      ],
    },
    defaultInputModes: unique(m.skills.flatMap((s) => s.inputModes)),
    defaultOutputModes: unique(m.skills.flatMap((s) => s.outputModes)),
    skills: m.skills.map((s) => ({
      id: s.id,
      name: s.name,
      description: s.description,
      tags: s.tags,
      examples: s.examples,
      inputModes: s.inputModes,
      outputModes: s.outputModes,
    })),
  };
}

export function exportA2ACards(registry: AgentRegistry, options: { baseUrl?: string } = {}): A2AAgentCard[] {
  return registry.list().map((a) => card(a, options.baseUrl));
}
