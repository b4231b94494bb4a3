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

// l10n: what the extension shows goes through vscode.l10n.t('… {0} …', value), so one bundle translates it.
// Flags a string or template literal passed straight to a message, a prompt's title/prompt/placeHolder or a
// progress title, and a template literal given to l10n.t (its text must be fixed for the bundle).
const SHOWN_CALL = '/^(show(Information|Warning|Error)Message|withCancellableProgress|confirm)$/';
const PROMPT_CALL = '/^(showInputBox|showQuickPick|withProgress|pick|input|openFile)$/';
const LITERAL = ':matches(Literal[value=/[A-Za-z]/], TemplateLiteral:has(TemplateElement[value.cooked=/[A-Za-z]/]))';
const L10N_MESSAGE = 'Wrap text the user sees in vscode.l10n.t(), with {0} placeholders rather than concatenation.';
const L10N_RULE = ['error',
  { selector: `CallExpression[callee.property.name=${SHOWN_CALL}] > ${LITERAL}`, message: L10N_MESSAGE },
  { selector: `CallExpression[callee.name=${SHOWN_CALL}] > ${LITERAL}`, message: L10N_MESSAGE },
  { selector: `CallExpression[callee.property.name=${PROMPT_CALL}] > ObjectExpression > Property[key.name=/^(title|prompt|placeHolder|openLabel)$/] > ${LITERAL}.value`, message: L10N_MESSAGE },
  // The text of an error the user reads (UserError's message; KubeError's and configError's message and action).
  { selector: `NewExpression[callee.name="UserError"] > ${LITERAL}:nth-child(1)`, message: L10N_MESSAGE },
  { selector: `NewExpression[callee.name="KubeError"] > ${LITERAL}:nth-child(2)`, message: L10N_MESSAGE },
  { selector: `CallExpression[callee.name="configError"] > ${LITERAL}`, message: L10N_MESSAGE },
  { selector: `NewExpression[callee.name="KubeError"] > ObjectExpression > Property[key.name="action"] > ${LITERAL}.value`, message: L10N_MESSAGE },
  // A tree message row: its label, detail and tooltip.
  { selector: `NewExpression[callee.name="MessageNode"] > ${LITERAL}:matches(:nth-child(2), :nth-child(3), :nth-child(6))`, message: L10N_MESSAGE },
  // A command's title as a button, code lens or tree click shows it ({ title, command }).
  { selector: `ObjectExpression:has(> Property[key.name="command"]) > Property[key.name="title"] > ${LITERAL}.value`, message: L10N_MESSAGE },
  // A tree item's or status bar item's description or tooltip, also as either branch of a condition.
  { selector: `AssignmentExpression[left.property.name=/^(description|tooltip)$/] > ${LITERAL}.right`, message: L10N_MESSAGE },
  { selector: `AssignmentExpression[left.property.name=/^(description|tooltip)$/] ConditionalExpression > ${LITERAL}:matches(.consequent, .alternate)`, message: L10N_MESSAGE },
  // Quick-pick items written inline in the call (also inside a .map() there).
  { selector: `CallExpression:matches([callee.property.name=/^(showQuickPick|pick)$/], [callee.name=/^(showQuickPick|pick)$/]) ObjectExpression > Property[key.name=/^(label|description|detail)$/] > ${LITERAL}.value`, message: L10N_MESSAGE },
  { selector: 'CallExpression[callee.object.property.name="l10n"][callee.property.name="t"][arguments.0.type="TemplateLiteral"][arguments.0.expressions.length>0]', message: 'vscode.l10n.t takes fixed text: pass values as arguments for {0}, {1}…' },
  // The same for t() of client/src/localize.ts (modules without the vscode API).
  { selector: 'CallExpression[callee.name="t"][arguments.0.type="TemplateLiteral"][arguments.0.expressions.length>0]', message: 'vscode.l10n.t takes fixed text: pass values as arguments for {0}, {1}…' },
];
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
    files: ['client/src/**/*.ts'],
    rules: { 'no-restricted-syntax': L10N_RULE },
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
