import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    // ink renders nothing but the last frame when it believes it runs in CI
    // (is-in-ci reads CI at import): the terminal UI's tests, and the binary
    // they start in tmux, must see a terminal user's environment, CI or not.
    env: { CI: 'false', CONTINUOUS_INTEGRATION: 'false' },
  },
});
