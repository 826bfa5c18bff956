import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['companion/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'force-app/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
