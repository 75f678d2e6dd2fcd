import js from '@eslint/js'
import {defineConfig, globalIgnores} from 'eslint/config'
import reactHooks from 'eslint-plugin-react-hooks'
import tseslint from 'typescript-eslint'

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', '.oban/', 'coverage/', '.test-results/', '.scratch/']),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {projectService: true, tsconfigRootDir: import.meta.dirname},
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      '@typescript-eslint/consistent-type-imports': 'error',
      // An async function without await is a normal way to return a promise (tests, interfaces).
      '@typescript-eslint/require-await': 'off',
      'no-duplicate-imports': ['error', {allowSeparateTypeImports: true}],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {globals: {process: 'readonly', console: 'readonly', URL: 'readonly', module: 'writable'}},
  },
  {
    // pg's values come from src/db/pg-driver.ts, which loads pg without Node's fetch implementation.
    files: ['src/**/*.ts', 'src/**/*.tsx', 'plugins/**/*.ts', 'commands/**/*.ts'],
    ignores: ['src/db/pg-driver.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'pg',
              message: 'import pgDriver from src/db/pg-driver.ts (types: import type ... from pg).',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.tsx', 'plugins/**/*.tsx'],
    extends: [reactHooks.configs.flat['recommended-latest']],
  },
)
