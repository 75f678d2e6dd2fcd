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
    files: ['src/**/*.tsx', 'plugins/**/*.tsx'],
    extends: [reactHooks.configs.flat['recommended-latest']],
  },
)
