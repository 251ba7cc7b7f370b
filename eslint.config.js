// ESLint with typescript-eslint's recommended type-aware rules (`npm run lint`).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Off where code reads JSON answers loosely (values typed any): member access on them is not checked. */
const looseJson = Object.fromEntries(
  ['member-access', 'assignment', 'call', 'argument', 'return'].map((rule) => [
    `@typescript-eslint/no-unsafe-${rule}`,
    'off',
  ]),
);

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test/**/fixtures/', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A leading underscore marks a binding kept on purpose (a destructured field left out).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // An async function without await is deliberate here: it implements a Promise-returning
      // interface (a handler, a catalog, a wrapped command) and turns a throw into a rejection.
      '@typescript-eslint/require-await': 'off',
      // String(v) on DuckDB and JSON row values (typed as unions that include objects) is how
      // rows are read; a VARCHAR column never yields an object. Typed row readers would let
      // this come back on.
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    // Tests and benchmarks read JSON answers (CLI output, MCP results, rows) loosely and assert
    // on them; the product code keeps the full type-aware rule set.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      ...looseJson,
      '@typescript-eslint/no-explicit-any': 'off',
      // Failure messages interpolate whatever a row or an answer holds; stub servers take async
      // handlers; a cast names the shape a test expects even where inference would find it.
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-misused-promises': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  {
    // The dashboard's browser code has its own tsconfig (DOM, JSX for preact), outside the project service's.
    files: ['src/ui/web/**/*.{ts,tsx}'],
    languageOptions: {
      globals: globals.browser,
      parserOptions: { projectService: false, project: './tsconfig.web.json', tsconfigRootDir: import.meta.dirname },
    },
    // The views read the dashboard API's JSON answers through one loose `Json` type (common.tsx);
    // until those answers are typed from ui/api.ts, member access on them is not checked.
    rules: {
      ...looseJson,
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
