import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokenLinks, docPages, fileCopies, linkedPages, root } from './pages.js';

/** The code blocks of the README that are marked as a copy of a file: `<!-- file: path -->`. */
function readmeCopies(): Array<{ file: string; code: string }> {
  return fileCopies('README.md');
}

describe('the README and docs pages', () => {
  it('every example shown in the README is the file it names, unchanged', () => {
    const copies = readmeCopies();
    expect(copies.length).toBeGreaterThanOrEqual(6);
    for (const { file, code } of copies) {
      expect(code, file).toBe(readFileSync(join(root, file), 'utf8'));
    }
  });

  it('every example shown in docs/*.md is the file it names, unchanged (npm run readme:sync copies them)', () => {
    const pages = docPages().filter((page) => page !== 'README.md');
    expect(pages.length).toBeGreaterThanOrEqual(7);
    const copies = pages.flatMap((page) => fileCopies(page).map((copy) => ({ page, ...copy })));
    expect(copies.length).toBeGreaterThanOrEqual(10);
    for (const { page, file, code } of copies) {
      expect(code, `${page}: ${file}`).toBe(readFileSync(join(root, file), 'utf8'));
    }
  });

  it('every relative link of the README, docs/*.md and the packages’ pages leads to a file and heading that exist', () => {
    const pages = linkedPages();
    expect(pages).toEqual(expect.arrayContaining(['README.md', 'docs/queue.md', 'packages/redis-adapter/README.md']));
    expect(pages.flatMap((page) => brokenLinks(page))).toEqual([]);
  });
});
