// Rewrites every code block marked `<!-- file: path -->` in README.md and docs/*.md with the
// current text of that file, so an example edited (or reformatted) under examples/ reaches the
// docs unchanged. The README example test fails when the two differ; this is the fix it asks for.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
/** The pages whose examples are copies of files: the README and every page under docs/. */
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : pages;
for (const name of chosen) {
  const path = join(root, name);
  const before = readFileSync(path, 'utf8');
  const after = before.replace(
    /(<!-- file: (\S+) -->\s*```(?:ts|sh)\n)([\s\S]*?)```/g,
    (_, head, file) => `${head}${readFileSync(join(root, file), 'utf8')}\`\`\``,
  );
  if (after !== before) {
    writeFileSync(path, after);
    console.log(`updated ${name}`);
  }
}
