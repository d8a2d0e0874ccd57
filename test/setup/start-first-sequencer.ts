import { relative } from 'node:path';
import { BaseSequencer, type TestSequencerConstructor, type TestSpecification } from 'vitest/node';

/**
 * A sequencer that starts the files in `startFirst` (paths from the root) before the other files
 * of their project, then runs the rest in vitest's order (longest recorded duration first).
 * Without recorded durations (a fresh clone, CI) vitest starts the largest files first, and the
 * few-line files of a split real-time run, the longest of a tier, would be its tail.
 */
export function startFirstSequencer(startFirst: readonly string[]): TestSequencerConstructor {
  const first = new Set(startFirst);
  return class StartFirstSequencer extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
      const sorted = await super.sort(files);
      const isFirst = (spec: TestSpecification): boolean => first.has(relative(this.ctx.config.root, spec.moduleId));
      // vitest's order keeps each project's files together: move the start-first ones to the front
      // of their project's run, in the order they had.
      const ordered: TestSpecification[] = [];
      for (let i = 0; i < sorted.length;) {
        let end = i;
        while (end < sorted.length && sorted[end]!.project === sorted[i]!.project) end++;
        const run = sorted.slice(i, end);
        ordered.push(...run.filter(isFirst), ...run.filter((spec) => !isFirst(spec)));
        i = end;
      }
      return ordered;
    }
  };
}
