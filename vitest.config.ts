import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Test files outside a package's src are not covered by its tsconfig, so the
  // decorator settings are given to the transpiler here as well.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: false } } as never,
  ssr: { resolve: { conditions: ['@baton/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    globalSetup: ['test/setup/redis-global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
