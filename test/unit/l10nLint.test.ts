// The lint rule that keeps literal English out of what the extension shows: each kind of text it guards is
// flagged when literal and passes once wrapped in vscode.l10n.t; text the user never sees is left alone.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Linter } from 'eslint';
import * as tseslint from 'typescript-eslint';

type FlatConfig = { files?: string[]; rules?: Record<string, unknown> };

async function l10nRule(): Promise<unknown> {
  const config = (await import(pathToFileURL(path.join(__dirname, '../../eslint.config.mjs')).href) as { default: FlatConfig[] }).default;
  const entry = config.find((c) => c.files?.includes('client/src/**/*.ts') && c.rules?.['no-restricted-syntax']);
  assert.ok(entry, 'eslint.config.mjs has the l10n rule for client/src');
  return entry.rules!['no-restricted-syntax'];
}

describe('The l10n lint rule (client code)', () => {
  let flagged: (code: string) => number[];
  before(async () => {
    const rule = await l10nRule();
    const linter = new Linter({ configType: 'flat' });
    const config = [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser }, rules: { 'no-restricted-syntax': rule as Linter.RuleEntry } }];
    flagged = (code) => linter.verify(code, config, 'x.ts').map((m) => { assert.equal(m.ruleId, 'no-restricted-syntax', m.message); return m.column; });
  });

  const cases: [string, string, string][] = [
    ['a UserError text', 'throw new UserError(`SGBackup ${name} is gone.`);', 'throw new UserError(vscode.l10n.t(\'SGBackup {0} is gone.\', name));'],
    ['a KubeError message', 'new KubeError(\'invalid\', \'No name.\');', 'new KubeError(\'invalid\', t(\'No name.\'));'],
    ['a KubeError action', 'new KubeError(\'invalid\', t(\'No name.\'), { action: \'Give it a name.\' });', 'new KubeError(\'invalid\', t(\'No name.\'), { action: t(\'Give it a name.\') });'],
    ['a configError text', 'configError(\'Bad file.\', t(\'Fix it.\'));', 'configError(t(\'Bad file.\'), t(\'Fix it.\'));'],
    ['a tree message row', 'new MessageNode(\'id/empty\', \'Nothing here\', undefined, \'info\');', 'new MessageNode(\'id/empty\', vscode.l10n.t(\'Nothing here\'), undefined, \'info\');'],
    ['a command title', 'const c = { title: \'Refresh\', command: \'stackgres.refresh\' };', 'const c = { title: vscode.l10n.t(\'Refresh\'), command: \'stackgres.refresh\' };'],
    ['a quick-pick item', 'pick(xs.map((x) => ({ label: x, description: \'in the bucket\' })), {});', 'pick(xs.map((x) => ({ label: x, description: vscode.l10n.t(\'in the bucket\') })), {});'],
    ['a value spliced into the text of the hand-in t()', 'throw new UserError(t(`${relative} is gone.`));', 'throw new UserError(t(\'{0} is gone.\', relative));'],
    ['a tree description', 'item.description = ready ? \'reconnecting…\' : undefined;', 'item.description = ready ? vscode.l10n.t(\'reconnecting…\') : undefined;'],
  ];
  for (const [what, literal, wrapped] of cases) {
    it(`flags ${what} given as a literal, not once wrapped`, () => {
      assert.equal(flagged(literal).length, 1, literal);
      assert.deepEqual(flagged(wrapped), [], wrapped);
    });
  }

  it('leaves alone text no user sees: error kinds, icons, ids, command ids, comparisons', () => {
    assert.deepEqual(flagged([
      'new KubeError(\'invalid\', t(\'x\'));',
      'new MessageNode(\'connection/kubeconfig\', t(\'x\'), undefined, \'file\');',
      'const c = { command: \'stackgres.refresh\', arguments: [\'a\'] };',
      'item.description = state.scope === \'all namespaces\' ? undefined : t(\'x\');',
      'log.info(\'Connected to the cluster.\');',
    ].join('\n')), []);
  });
});
