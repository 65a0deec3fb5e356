// The fenced blocks of the README and docs/, as the snippet test reads them (README.md,
// "Documentation snippets", says what is run and how a block is marked not-runnable).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Snippet {
  /** Where it is: path relative to the repository, and the line of its opening fence. */
  file: string;
  line: number;
  /** The first word of the info string, lower case ('' for none). */
  lang: string;
  /** The words after it (`no-run`, …). */
  flags: string[];
  code: string;
}

export const SHELL = new Set(['sh', 'bash', 'shell']);
export const JS = new Set(['js', 'mjs', 'javascript']);
export const TS = new Set(['ts', 'typescript']);
/** The marker of a block that cannot run in the test: only its shape is checked. */
export const NO_RUN = 'no-run';

/** README.md, every Markdown file under docs/, and the other READMEs of the repository. */
export function documents(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
  const extra = ['bench/README.md', 'packages/client/README.md'].map((file) => join(root, file));
  return [join(root, 'README.md'), ...walk(join(root, 'docs')), ...extra].map((path) => relative(root, path));
}

/** The fenced blocks of one Markdown text (``` or ~~~ fences, any length, indented or not). */
export function snippetsOf(file: string, text: string): Snippet[] {
  const lines = text.split('\n');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`]*)$/.exec(lines[i] as string);
    if (!open) continue;
    const [, indent, fence, info] = open as unknown as [string, string, string, string];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j] as string;
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[1]![0] === fence[0] && close[1]!.length >= fence.length) break;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line);
    }
    const [lang = '', ...flags] = info.trim().split(/\s+/).filter(Boolean);
    found.push({ file, line: i + 1, lang: lang.toLowerCase(), flags, code: body.join('\n') + '\n' });
    i = j;
  }
  return found;
}

export function allSnippets(root: string): Snippet[] {
  return documents(root).flatMap((file) => snippetsOf(file, readFileSync(join(root, file), 'utf8')));
}

/** A JSON example with its elisions taken out: `…` (and a comma before it) and `<placeholders>`. */
export function elidedJson(code: string): string {
  const text = code.replace(/,\s*…/g, '').replace(/…/g, '').replace(/<[a-z][a-z ]*>/gi, 'null').trim();
  return text.startsWith('"') ? `{${text}}` : text; // one member of an object, as the dialect pages show a credential set
}
