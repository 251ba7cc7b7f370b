import YAML from 'yaml';
import type { AgentRegistry, RegisteredAgent } from '../registry/registry.js';

/**
 * Agents as Claude Code subagent files (`.claude/agents/bosun-<id>.md`: YAML front matter with
 * name, description and tools, then the system prompt). Automatic agents are driven through
 * `bosun agents run`; assistant agents do the work themselves and report through Bosun's PM.
 */
function prompt(agent: RegisteredAgent): string {
  const m = agent.manifest;
  const automatic = m.executor.kind !== 'assistant';
  const lines = [
    `You are Bosun's ${m.name} agent (${m.tier} tier). ${m.description}`,
    '',
    automatic
      ? 'Bosun runs this agent itself. Run a skill with `bosun agents run ' +
        m.id +
        ' <skill> --input key=value … --json`; it prints a result envelope (status, summary, outputs, artifacts with file paths, metrics, error). Read the artifacts it lists, and answer from them.'
      : 'Bosun routes these tasks to an assistant: you. Take the next task through the Bosun PM MCP server, do the work with your own tools, write result files into the task folder, and complete the task with a result envelope (status, summary, outputs, artifacts, metrics, handoffs). Hand work that another skill does better back as a handoff.',
    '',
    '## Skills',
  ];
  for (const s of m.skills) {
    lines.push('', `### ${s.id}: ${s.name}`, '', s.description);
    if (s.examples.length) lines.push('', 'For example:', ...s.examples.map((e) => `- ${e}`));
    lines.push('', 'Input (JSON Schema):', '', '```json', JSON.stringify(s.inputSchema, null, 2), '```');
  }
  const commands = [...m.requires.commands, ...m.skills.flatMap((s) => s.requires.commands)];
  if (commands.length) {
    lines.push(
      '',
      '## Needs',
      '',
      ...commands.map(
        (c) =>
          `- \`${c.name}\`${c.minVersion ? ` ≥ ${c.minVersion}` : ''}${c.optional ? ' (optional)' : ''}${c.purpose ? `: ${c.purpose}` : ''}`,
      ),
    );
  }
  if (!agent.availability.available)
    lines.push('', `Not usable on this machine right now: ${agent.availability.reasons.join('; ')}.`);
  return lines.join('\n');
}

export function exportClaudeCodeSubagents(registry: AgentRegistry): { file: string; content: string }[] {
  return registry.list().map((agent) => {
    const m = agent.manifest;
    const automatic = m.executor.kind !== 'assistant';
    const front = {
      name: `bosun-${m.id}`,
      description: `${m.description} Skills: ${m.skills.map((s) => s.id).join(', ')}.`,
      // Automatic agents only need to call the CLI and read what it wrote; assistants inherit every tool.
      ...(automatic ? { tools: 'Bash, Read' } : {}),
    };
    return {
      file: `bosun-${m.id}.md`,
      content: `---\n${YAML.stringify(front, { lineWidth: 0 })}---\n\n${prompt(agent)}\n`,
    };
  });
}
