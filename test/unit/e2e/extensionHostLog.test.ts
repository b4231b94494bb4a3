/** Which extension host log entries the real-editor driver counts as warnings or errors of ours (extensionHostLog.ts). */
import * as assert from 'node:assert/strict';
import { ourWarnings } from '../../e2e/extensionHostLog';

const EXT = '/tmp/run/newest/trusted/extensions/stackgres-tools.stackgres-backups-0.1.0';
const CS = 'file:///root/.cache/stackgres-vscode-test/code-server-4.139.1/node_modules/code-server/lib/vscode';

// Entries as VS Code 1.139.1 wrote them in remoteexthost.log (paths shortened).
const NAVIGATOR = `2026-12-03 11:40:37.341 [warning] [Deprecation Warning] 'PendingMigrationError' is deprecated. navigator is now a global in nodejs, please see https://aka.ms/vscode-extensions/navigator for additional info on this error.
 FROM: PendingMigrationError: navigator is now a global in nodejs, please see https://aka.ms/vscode-extensions/navigator for additional info on this error.
\tat get (${CS}/out/vs/workbench/api/node/extensionHostProcess.js:473:7297)
\tat ${EXT}/dist/kube.js:36:2559499`;
const STOP = `2026-12-03 11:43:35.663 [error] Error: Client is not running and can't be stopped. It's current state is: starting
\tat LS.shutdown (${EXT}/dist/client.js:178:8468)`;
const MAPPINGS = `2026-12-03 11:45:27.111 [warning] Could not identify extension for 'vscode' require call from file:///tmp/run/newest/restricted/suite/index.js. These are the extension path mappings: 
\t${CS}/extensions/git-base -> vscode.git-base
\tfile://${EXT} -> stackgres-tools.stackgres-backups`;
const OTHER = `2026-12-03 11:42:13.325 [warning] [vscode.markdown-language-features] Accessing a resource scoped configuration without providing a resource is not expected.`;
const INFO = `2026-12-03 11:40:33.254 [info] ExtensionService#_doActivateExtension stackgres-tools.stackgres-backups, startup: false, activationEvent: 'onLanguage:yaml'`;

describe('ourWarnings (extension host log)', () => {
  it('finds a warning raised from our bundles, and an error with our frames', () => {
    const found = ourWarnings([INFO, NAVIGATOR, OTHER, STOP].join('\n'));
    assert.equal(found.length, 2);
    assert.match(found[0], /PendingMigrationError/);
    assert.match(found[1], /can't be stopped/);
  });

  it('leaves out info lines, other extensions, and VS Code\'s list of extension paths', () => {
    assert.deepEqual(ourWarnings([INFO, OTHER, MAPPINGS].join('\n')), []);
  });

  it('stops at the extension host\'s termination (requests in flight then fail on closed channels)', () => {
    const terminating = '2026-12-03 12:03:01.990 [info] Extension host terminating: received terminate message from renderer';
    assert.deepEqual(ourWarnings([INFO, terminating, STOP].join('\n')), []);
    assert.equal(ourWarnings([STOP, terminating].join('\n')).length, 1);
  });
});
