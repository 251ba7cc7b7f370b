import { BosunError } from '../../core/index.js';
import { ancestorsOf, topologicalOrder } from '../dag.js';
import { paramNamesIn, renameStepReferences, stepReferencesIn, substituteParams } from '../expressions.js';
import { isKnownSkill, knownSkills } from '../skills.js';
import type { Fragment, ParamSpec, Template, TemplateStep } from './schema.js';

/** A step after includes are expanded: keys are final (`<as>.<key>` for included steps). */
export interface ExpandedStep extends TemplateStep {
  /** The fragment it came from, if any. */
  fragment?: string;
}

/** The text of a step that placeholders may appear in. */
function placeholderText(step: TemplateStep): unknown[] {
  return [step.title, step.description ?? '', step.inputs, step.acceptance];
}

/** Renames an included fragment's steps under its prefix and fills the fragment's params. */
function expandInclude(include: Template['include'][number], fragment: Fragment, issues: string[]): ExpandedStep[] {
  const where = `include '${include.as}' (fragment ${fragment.id})`;
  const local = new Set(fragment.steps.map((s) => s.key));
  const rename = (key: string) => (local.has(key) ? `${include.as}.${key}` : key);
  for (const name of Object.keys(include.with)) {
    if (!(name in fragment.params))
      issues.push(
        `${where}: unknown param '${name}' (the fragment declares: ${Object.keys(fragment.params).join(', ') || 'none'})`,
      );
  }
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(fragment.params)) {
    const given = include.with[name] ?? spec.default;
    if (given === undefined && spec.required) issues.push(`${where}: missing required param '${name}'`);
    values[name] = given ?? null;
  }
  return fragment.steps.map((step) => {
    const renamed = renameStepReferences(step, rename) as TemplateStep;
    const filled = substituteParams(renamed, values) as TemplateStep;
    const dependsOn = step.depends_on.map(rename);
    return {
      ...filled,
      key: rename(step.key),
      depends_on: step.depends_on.length ? dependsOn : [...include.after],
      fragment: fragment.id,
    };
  });
}

/** Checks that refer to more than one field: skills, dependencies, placeholders, cycles. */
function checkSteps(
  steps: readonly ExpandedStep[],
  params: Record<string, ParamSpec>,
  what: string,
  issues: string[],
): ExpandedStep[] {
  const keys = new Set<string>();
  for (const step of steps) {
    if (keys.has(step.key)) issues.push(`step '${step.key}' appears twice`);
    keys.add(step.key);
  }
  const nodes = steps.map((s) => ({ key: s.key, dependsOn: s.depends_on }));
  for (const step of steps) {
    if (!isKnownSkill(step.skill)) issues.push(`step '${step.key}': unknown skill '${step.skill}'`);
    for (const dep of step.depends_on)
      if (!keys.has(dep)) issues.push(`step '${step.key}': depends on unknown step '${dep}'`);
    for (const name of paramNamesIn(placeholderText(step))) {
      if (!(name in params)) issues.push(`step '${step.key}': {{ params.${name} }} is not a declared param`);
    }
    const upstream = ancestorsOf(step.key, nodes);
    for (const ref of stepReferencesIn(placeholderText(step))) {
      if (!upstream.has(ref.key)) {
        issues.push(
          `step '${step.key}': {{ steps.${ref.key}.outputs.${ref.path} }} refers to a step it does not depend on`,
        );
      }
    }
  }
  if (issues.length) {
    const unknownSkill = issues.some((i) => i.includes('unknown skill'));
    throw new BosunError('INVALID_INPUT', `${what} is invalid: ${issues.join('; ')}`, {
      hint: unknownSkill
        ? `known skills: ${Object.keys(knownSkills).join(', ')}`
        : 'fix the steps listed and validate again',
      details: { issues },
    });
  }
  const byKey = new Map(steps.map((s) => [s.key, s]));
  return topologicalOrder(nodes, what).map((n) => byKey.get(n.key)!);
}

/**
 * Expands a template's includes and validates the result as a whole: every skill known, every
 * dependency present, no cycle, every placeholder pointing at a declared param or an upstream
 * step. Returns the steps in dependency order.
 */
export function expandTemplate(template: Template, fragments: ReadonlyMap<string, Fragment>): ExpandedStep[] {
  const issues: string[] = [];
  const steps: ExpandedStep[] = [...template.steps];
  const prefixes = new Set<string>();
  for (const include of template.include) {
    if (prefixes.has(include.as)) issues.push(`include prefix '${include.as}' is used twice`);
    prefixes.add(include.as);
    const fragment = fragments.get(include.fragment);
    if (!fragment) {
      issues.push(
        `include '${include.as}': unknown fragment '${include.fragment}' (known: ${[...fragments.keys()].join(', ') || 'none'})`,
      );
      continue;
    }
    steps.push(...expandInclude(include, fragment, issues));
  }
  return checkSteps(steps, template.params, `template ${template.id}`, issues);
}

/** A fragment on its own must be a valid DAG over its own params. */
export function checkFragment(fragment: Fragment): void {
  checkSteps(fragment.steps, fragment.params, `fragment ${fragment.id}`, []);
}
