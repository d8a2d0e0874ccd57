import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The repository's root directory. */
export const root = join(import.meta.dirname, '..', '..');

/** The pages of the documentation, relative to the root: the README and every page under docs/. */
export function docPages(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

/**
 * Every Markdown page a reader reaches from the README: its pages (`docPages`), and the pages of the
 * packages, the benchmarks and the fault tests, which link back into them.
 */
export function linkedPages(): string[] {
  const packages = readdirSync(join(root, 'packages')).flatMap((name) =>
    existsSync(join(root, 'packages', name))
      ? readdirSync(join(root, 'packages', name))
          .filter((f) => f.endsWith('.md'))
          .map((f) => `packages/${name}/${f}`)
      : [],
  );
  return [...docPages(), ...packages.sort(), 'bench/README.md', 'test/faults/README.md'].filter((page) => existsSync(join(root, page)));
}

/** The code blocks of a page that are marked as a copy of a file: `<!-- file: path -->`. */
export function fileCopies(page: string): Array<{ file: string; code: string }> {
  const text = readFileSync(join(root, page), 'utf8');
  const pattern = /<!-- file: (\S+) -->\s*```(?:ts|sh)\n([\s\S]*?)```/g;
  return [...text.matchAll(pattern)].map((m) => ({ file: m[1]!, code: m[2]! }));
}

/** A page's lines outside fenced code blocks, so that code never counts as a link or a heading. */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

/**
 * The anchors GitHub gives a page's headings (github-slugger's rule: the heading's text, lower
 * case, without punctuation but `-` and `_`, spaces made `-`, a repeated one suffixed `-1`, `-2`, …),
 * plus explicit `<a id>` / `<a name>` anchors.
 */
export function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of prose(text)) {
    for (const m of line.matchAll(/<a (?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const visible = heading[1]!.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    const slug = visible
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** A relative link of a page that leads nowhere, with the reason. */
export interface BrokenLink {
  page: string;
  target: string;
  reason: string;
}

/**
 * Checks every relative link of a page (`[text](path#anchor)`, images included, not code): the path
 * must exist, and an anchor into a Markdown page must name one of its headings.
 */
export function brokenLinks(page: string): BrokenLink[] {
  const text = readFileSync(join(root, page), 'utf8');
  const broken: BrokenLink[] = [];
  for (const line of prose(text)) {
    for (const m of line.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
      const [path = '', anchor] = target.split('#', 2);
      const file = path === '' ? join(root, page) : join(root, dirname(page), path);
      if (!existsSync(file)) {
        broken.push({ page, target, reason: `no file ${relative(root, file)}` });
        continue;
      }
      if (anchor !== undefined && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(anchor)) {
        broken.push({ page, target, reason: `no heading #${anchor} in ${relative(root, file)}` });
      }
    }
  }
  return broken;
}
