// Lint: the TypeScript rules that catch real bugs, floating promises first (an unhandled rejection in the
// extension host is a silent failure for the user).
import tseslint from 'typescript-eslint';

const CORE_BY_PATH_MESSAGE = 'Import the core as @core/<module> (server/src/domain), not by a relative path.';
const CORE_BY_PATH = { regex: '(^|/)server/src/(domain|protocol)(/|$)', message: CORE_BY_PATH_MESSAGE };
const CORE_RELATIVE = { regex: '^\\.{1,2}/(.*/)?domain(/|$)', message: CORE_BY_PATH_MESSAGE };
const SERVER_FROM_CLIENT = {
  regex: '(^|/)server/',
  message: 'The extension shares only the core with the language server: import it as @core/<module>; anything else of the server stays in the server.',
};
const CLI_FROM_PRODUCT = {
  regex: '(^|/)cli/',
  message: 'The command line (cli/src) is an entry point of its own: nothing in the extension or the server imports it.',
};
const CLIENT_FROM_SERVER = {
  regex: '(^|/)client/',
  message: 'The language server never imports the extension: move what both need into the core (server/src/domain, imported as @core/<module>).',
};

export default tseslint.config(
  // webGlobals.d.ts only declares types, for the core's own tsconfig (the root project leaves it out).
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test-results/**', '**/*.mjs', '**/*.js', 'server/src/domain/webGlobals.d.ts'] },
  {
    files: ['client/src/**/*.ts', 'server/src/**/*.ts', 'cli/src/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      'no-debugger': 'error',
    },
  },
  // The wall between the rooms: the client and the language server share only the pure core, and name it
  // one way, @core/... (tsconfig.json paths); the core's own tsconfig refuses vscode and Node.
  {
    files: ['client/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [SERVER_FROM_CLIENT, CORE_BY_PATH, CLI_FROM_PRODUCT] }] },
  },
  {
    files: ['server/src/**/*.ts'],
    ignores: ['server/src/domain/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [CLIENT_FROM_SERVER, CORE_RELATIVE, CLI_FROM_PRODUCT] }] },
  },
  // The command line is a third adapter: it runs outside VS Code, so it may use the server's and the client's
  // modules that do without the vscode API, and the core as @core/<module>.
  {
    files: ['cli/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'The command line runs outside VS Code: no vscode API here (nor modules that import it).' }], patterns: [CORE_BY_PATH] }] },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts', 'cli/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [CORE_BY_PATH] }] },
  },
  {
    files: ['server/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: '^(vscode|node:.*)$', message: 'The core is shared by the extension and the language server: no VS Code API, no Node modules. Pass what you need in from the caller.' },
        { regex: '^@core/', message: 'Inside the core, import its modules by relative path.' },
      ] }],
    },
  },
);
