import * as assert from 'node:assert/strict';
import { setsKubeconfig } from '../../../client/src/workspaceSettings';

describe('A workspace settings file that sets stackgres.kubeconfig', () => {
  it('is seen in .vscode/settings.json, with comments and trailing commas as VS Code allows', () => {
    const text = '{\n  // picked by a colleague\n  "stackgres.kubeconfig": "/home/x/.kube/prod", /* the "//" inside strings stays */\n  "editor.rulers": [80,],\n}\n';
    assert.equal(setsKubeconfig(text, 'folder'), true);
  });

  it('is seen as a nested object, and under "settings" of a .code-workspace file', () => {
    assert.equal(setsKubeconfig('{ "stackgres": { "kubeconfig": "k" } }', 'folder'), true);
    assert.equal(setsKubeconfig('{ "folders": [{ "path": "." }], "settings": { "stackgres.kubeconfig": "k" } }', 'workspaceFile'), true);
  });

  it('is not seen when only a comment, a string or another file kind mentions it', () => {
    assert.equal(setsKubeconfig('{\n  // "stackgres.kubeconfig": "/x",\n  "a": "stackgres.kubeconfig"\n}', 'folder'), false);
    assert.equal(setsKubeconfig('{ "stackgres.kubeconfig": "k" }', 'workspaceFile'), false, 'a workspace file keeps settings under "settings"');
    assert.equal(setsKubeconfig('{ "stackgres.kubeconfigX": "k", "stackgres.live.secretsRefreshSeconds": 3 }', 'folder'), false);
  });

  it('is not seen in a file that is not JSON at all', () => {
    assert.equal(setsKubeconfig('not json', 'folder'), false);
    assert.equal(setsKubeconfig('', 'folder'), false);
  });

  it('is seen when a string holds an escaped quote or a comment-like text', () => {
    assert.equal(setsKubeconfig('{ "x": "a\\"//b", "stackgres.kubeconfig": "/*k*/" }', 'folder'), true);
  });
});
