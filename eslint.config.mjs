// ESLint, run by `npm test` (scripts/test.mjs) before the suites. typescript-eslint's
// recommended rules, and Drizzle's: an UPDATE or DELETE built with Drizzle must have a WHERE,
// so no store write can ever touch every row by mistake.
import drizzle from 'eslint-plugin-drizzle';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['.next/**', 'node_modules/**', 'data/**', '.test-tmp/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts', 'clients/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { drizzle },
    rules: {
      // Only the Drizzle handles of the store: `db`, `tx` and ctx.db.
      'drizzle/enforce-update-with-where': ['error', { drizzleObjectName: ['db', 'tx'] }],
      'drizzle/enforce-delete-with-where': ['error', { drizzleObjectName: ['db', 'tx'] }],
      // `_name` marks a value taken out on purpose (a destructured field left out of a copy).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Black-box tests read answers loosely (test/helpers/http.ts says why).
    files: ['test/**', 'e2e/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // CommonJS by necessity: Next.js loads next.config.js as it is, and scripts/serve.ts loads
    // the server only after setting NODE_ENV, which Next.js reads on load.
    files: ['next.config.js', 'scripts/serve.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
