import type { Reporter, Vitest } from 'vitest/node';

/** What the hint needs to know about a tier (see vitest.config.ts). */
export interface TierSummary {
  name: string;
  about: string;
  /** The command that runs the tier on its own. @default `npx vitest run --project <name>` */
  command?: string;
}

/**
 * Ends a run that left tiers out (`npm test` runs unit and redis) with what was not run and the
 * commands that run it, so a green `npm test` is not mistaken for the whole suite.
 */
export class TierHintReporter implements Reporter {
  private vitest: Vitest | undefined;

  /** @param tiers every tier of the configuration, whether this run selected it or not */
  constructor(private readonly tiers: readonly TierSummary[]) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(): void {
    const selected = new Set(this.vitest?.projects.map((p) => p.name) ?? []);
    const left = this.tiers.filter((t) => !selected.has(t.name));
    if (selected.size === 0 || left.length === 0) return;
    const ran = this.tiers.filter((t) => selected.has(t.name)).map((t) => t.name);
    const lines = [`Tiers run: ${ran.reverse().join(', ')}. Not run:`];
    for (const tier of left.reverse()) lines.push(`  ${tier.name} (${tier.about}): ${tier.command ?? `npx vitest run --project ${tier.name}`}`);
    lines.push('  every tier, as CI does: npm run test:all');
    console.log(`\n${lines.join('\n')}\n`);
  }
}
