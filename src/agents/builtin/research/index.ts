import { skillDispatcher } from '../dispatch.js';
import { researchDocs } from './docs-skill.js';
import { researchWeb } from './web-skill.js';
import { docsWrite } from './write-skill.js';

/**
 * The research agent: research.docs answers a question from Bosun's documentation libraries,
 * research.web from the pages a task names, both with a citation for every claim (extractive
 * without a model; a checked synthesis with endpoints.chatUrl); docs.write writes a project's
 * readme, handbook or report and makes it searchable. Inputs are those of agents/research.yaml,
 * validated again with zod by each skill (the manifest's schema is what routing and callers see).
 */
export const researchAgent = skillDispatcher('research', {
  'research.docs': researchDocs,
  'research.web': researchWeb,
  'docs.write': docsWrite,
});
