// The command table against package.json, both ways, without vscode: what the editor offers (ids, titles,
// menus) is what the extension registers, and a command that needs a trusted workspace is never hidden from,
// nor offered to, Restricted Mode by accident.
import * as assert from 'node:assert/strict';
import { commandTable, type CommandId } from '../../../../client/src/commands/table';
import { english, manifest } from '../../packageManifest';

interface Contributes {
  commands: { command: string; title: string; category?: string }[];
  menus: Record<string, { command: string; when?: string }[]>;
  keybindings?: { command: string; when?: string }[];
}
const contributes = manifest.contributes as Contributes;
const table: Record<string, { title: string; needsTrust: boolean }> = commandTable;
const ids = Object.keys(commandTable) as CommandId[];

/** Every place a command is offered: each menu entry and each keybinding, with where it comes from. */
const offers = [
  ...Object.entries(contributes.menus).flatMap(([menu, entries]) => entries.map((e) => ({ where: menu, command: e.command, when: e.when ?? '' }))),
  ...(contributes.keybindings ?? []).map((k) => ({ where: 'keybindings', command: k.command, when: k.when ?? '' })),
];

/** True when the clause holds only in a trusted workspace: `isWorkspaceTrusted` is one of its `&&` terms and nothing is `||`ed to it. */
function requiresTrust(when: string): boolean {
  return !when.includes('||') && when.split('&&').some((term) => term.trim() === 'isWorkspaceTrusted');
}

/** Evaluates the `viewItem == x` / `viewItem =~ /re/` term of a clause for one contextValue; undefined when there is none. */
function viewItemMatches(when: string, contextValue: string): boolean | undefined {
  const equals = /viewItem\s*==\s*([\w.]+)/.exec(when);
  if (equals) return equals[1] === contextValue;
  const regex = /viewItem\s*=~\s*\/(.*)\/(\w*)/.exec(when);
  if (regex) return new RegExp(regex[1], regex[2]).test(contextValue);
  return undefined;
}

// The view's only row in Restricted Mode (tree/provider.ts: the "Trust this workspace" MessageNode).
const RESTRICTED_MODE_ROW = 'stackgres.message';

describe('The command table and package.json', () => {
  it('contributes every command of the table, and registers every contributed command', () => {
    const contributed = contributes.commands.map((c) => c.command);
    assert.deepEqual([...contributed].sort(), [...ids].sort());
    assert.equal(new Set(contributed).size, contributed.length, 'each command is contributed once');
  });

  it('shows each command under the title the table gives it, in the StackGres category', () => {
    for (const c of contributes.commands) {
      assert.equal(english(c.title), table[c.command]?.title, c.command);
      assert.equal(english(c.category ?? ''), 'StackGres', c.command);
    }
  });

  it('offers in menus and keybindings only commands of the table', () => {
    for (const o of offers) assert.ok(o.command in table, `${o.where}: ${o.command} is not in the command table`);
  });

  // The rule package.json follows: menus never decide trust on their own. `isWorkspaceTrusted` only hides
  // commands that need trust (Restricted Mode keeps everything that works without a cluster), and the tree's
  // menus need no clause because their rows exist only when connected, which Restricted Mode never is.
  // Elsewhere (the palette, the editor's menus, the keybinding) a command that needs trust may be offered in
  // Restricted Mode: `guarded` in commands/index.ts answers it with "Manage Workspace Trust" and runs nothing.
  it('hides with isWorkspaceTrusted only commands that need a trusted workspace', () => {
    const hidden = offers.filter((o) => requiresTrust(o.when));
    assert.ok(hidden.length > 0, 'some menu entries are hidden in Restricted Mode');
    for (const o of hidden) assert.equal(table[o.command]?.needsTrust, true, `${o.where}: ${o.command} works without trust, yet its menu entry is hidden in Restricted Mode`);
  });

  it('offers tree commands that need trust only on rows the Restricted Mode view never shows', () => {
    const treeOffers = contributes.menus['view/item/context'].filter((o) => table[o.command]?.needsTrust);
    assert.ok(treeOffers.length > 0);
    for (const o of treeOffers) {
      const when = o.when ?? '';
      if (requiresTrust(when)) continue;
      const matches = viewItemMatches(when, RESTRICTED_MODE_ROW);
      assert.equal(matches, false, `view/item/context: ${o.command} (${when}) ${matches === undefined ? 'names no viewItem' : `matches the Restricted Mode row ${RESTRICTED_MODE_ROW}`}`);
    }
  });
});
