import { defaultServerConditions } from 'vite';
import { defineConfig, defineProject } from 'vitest/config';

/**
 * Workspace packages export `"@srekit/source": "./src/*.ts"` first, so with this condition tests
 * import `@srekit/*` straight from source and need no build. Node tests resolve through Vite's
 * SSR (server) environment, hence `ssr.resolve.conditions` as well.
 */
const SOURCE_CONDITION = '@srekit/source';
// Vite's server conditions include "module", which selects packages' extensionless ESM builds
// (e.g. @opentelemetry/api) that Node itself cannot load once Vitest externalises them.
const NODE_CONDITIONS = defaultServerConditions.filter((condition) => condition !== 'module');
const resolveFromSource = {
  resolve: { conditions: [SOURCE_CONDITION, ...NODE_CONDITIONS], mainFields: ['main'] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, ...NODE_CONDITIONS], mainFields: ['main'] } },
};

const PACKAGES = ['core', 'slo', 'security', 'engine', 'cli'] as const;

export default defineConfig({
  ...resolveFromSource,
  test: {
    passWithNoTests: true,
    reporters: ['default', './scripts/plain-summary-reporter.ts'],
    projects: [
      ...PACKAGES.map((name) =>
        defineProject({
          ...resolveFromSource,
          root: `packages/${name}`,
          test: {
            name,
            include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
            environment: 'node',
            testTimeout: 10_000,
          },
        }),
      ),
      defineProject({
        ...resolveFromSource,
        test: {
          name: 'examples',
          include: ['examples/*/test/**/*.test.ts', 'examples/*/test/**/*.test.js'],
          environment: 'node',
          testTimeout: 30_000,
        },
      }),
      defineProject({
        ...resolveFromSource,
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          exclude: [
            'tests/consumers/fixtures/**',
            'tests/reliability/**',
            'tests/soak/**',
            '**/node_modules/**',
          ],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      }),
      // Property tests, fuzzing and chaos: bounded in `npm test`, bigger with
      // SREKIT_RELIABILITY=full (`npm run test:reliability`).
      defineProject({
        ...resolveFromSource,
        test: {
          name: 'reliability',
          include: ['tests/reliability/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      }),
      // The soak runs alone, after everything else (scripts/run.mjs), for SREKIT_SOAK_SECONDS.
      ...(process.env.SREKIT_SOAK_SECONDS
        ? [
            defineProject({
              ...resolveFromSource,
              test: {
                name: 'soak',
                include: ['tests/soak/**/*.test.ts'],
                environment: 'node',
                testTimeout: 30 * 60_000,
                hookTimeout: 60_000,
              },
            }),
          ]
        : []),
    ],
  },
});
