import { z } from 'zod';

export const documentFormats = ['markdown', 'mdx', 'html', 'text'] as const;
export type DocumentFormat = (typeof documentFormats)[number];

export const parseInputSchema = z.object({
  content: z.string(),
  format: z.enum(documentFormats),
  path: z.string().min(1),
  url: z.string().url().optional(),
});
export type ParseInput = z.infer<typeof parseInputSchema>;

/** One heading's own content: its heading line and body, without its subsections. */
export interface Section {
  /** Headings from the top of the page down to this one; the page title only when it is a heading. */
  headingPath: string[];
  /** Heading level 1-6; 0 for the content before the first heading. */
  level: number;
  /** GitHub-style slug, unique within the page; '' for the content before the first heading. */
  anchor: string;
  markdown: string;
}

/** A link to another document or URL (images and same-page `#anchor` links are left out). */
export interface Link {
  /** The destination as written (Jekyll `{% link %}` tags become root-relative paths; HTML links are absolute). */
  href: string;
  text: string;
  /** Anchor of the section the link appears in. */
  sectionAnchor: string;
}

export interface ParsedDocument {
  title: string;
  description?: string;
  frontMatter: Record<string, unknown>;
  /** The whole page as normalised markdown: the sections' markdown joined by blank lines. */
  markdown: string;
  sections: Section[];
  links: Link[];
  warnings: string[];
}
