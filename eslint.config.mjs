// ESLint judges correctness; Prettier formats. Type-aware rules stay on: an unawaited promise in an auth
// server is a security bug.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * A plugin's source sees the kernel only through its context: of our packages it imports `@tessera/plugin-sdk`
 * alone (its tests may use `@tessera/testing`), and no path into the monorepo's other folders.
 */
export const pluginSourceFiles = [
  'plugins/*/src/**/*.ts',
  'packages/cli/templates/strategy-plugin/src/**/*.ts.tmpl',
];
export const pluginImportRule = [
  'error',
  {
    patterns: [
      {
        regex: '^@tessera/(?!plugin-sdk$)',
        message:
          'A plugin imports only @tessera/plugin-sdk of Tessera: what it needs comes from its context.',
      },
      {
        regex: '(^|/)(packages|apps)/',
        message: "A plugin does not reach into Tessera's sources: import @tessera/plugin-sdk.",
      },
    ],
  },
];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'data/**',
      'coverage/**',
      // Plugins `tessera plugin:create` writes in a checkout: their authors' projects, with their own config.
      'tessera-plugins/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: pluginSourceFiles,
    rules: { 'no-restricted-imports': pluginImportRule },
  },
  {
    // The plugin template's sources are TypeScript with placeholders in strings, outside every tsconfig.
    files: ['packages/cli/templates/strategy-plugin/src/**/*.ts.tmpl'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { parser: tseslint.parser, parserOptions: { project: false, projectService: false } },
    // TypeScript checks names; typescript-eslint turns no-undef off for .ts files, and these are .ts too.
    rules: { ...tseslint.configs.disableTypeChecked.rules, 'no-undef': 'off' },
  },
  {
    files: ['**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Wire answers are loosely typed JSON; the assertions check their shape.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
