// Rewrites every README code block marked `<!-- file: path -->` with the current text of that file,
// so an example edited (or reformatted) under examples/ reaches the README unchanged. The README
// example test fails when the two differ; this is the fix it asks for.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const readmes = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['README.md'];
for (const name of readmes) {
  const path = join(root, name);
  const before = readFileSync(path, 'utf8');
  const after = before.replace(/(<!-- file: (\S+) -->\s*```ts\n)([\s\S]*?)```/g, (_, head, file) => `${head}${readFileSync(join(root, file), 'utf8')}\`\`\``);
  if (after !== before) {
    writeFileSync(path, after);
    console.log(`updated ${name}`);
  }
}
