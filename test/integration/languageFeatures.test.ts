/**
 * The language features a user sees on the fixture workspace, one `describe` per feature, through the
 * editor's own commands (so every provider runs, ours among them). Tests tagged @restricted also run in an
 * untrusted workspace: language features must work there.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  applyCodeAction, codeActionsAt, completionsAt, describeDiagnostic, diagnosticCode, DIAGNOSTIC_SOURCE, hoverTextAt, labelOf, openFixture,
  positionOf, stackgresDiagnostics, waitFor, waitForDiagnostics,
} from './helpers';

describe('Diagnostics on the tutorial files', () => {
  it('the storage without `type` gets the error, on `spec`, with the operator reasoning @restricted', async () => {
    const editor = await openFixture('storage-no-type.yaml');
    const [d] = await waitForDiagnostics(editor.document.uri, (ds) => ds.some((x) => diagnosticCode(x) === 'storage-type-missing'), 'storage-type-missing');
    const missing = stackgresDiagnostics(editor.document.uri).find((x) => diagnosticCode(x) === 'storage-type-missing') ?? d;
    assert.equal(missing.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(editor.document.getText(missing.range), 'spec');
    assert.match(missing.message, /Add `type: s3`/);
  });

  it('the tutorial storage, secret and cluster are clean @restricted', async () => {
    for (const file of ['storage.yaml', 'cluster.yaml', 'secret.yaml']) {
      const editor = await openFixture(file);
      // The control file proves the server has answered for what was opened before it.
      const control = await openFixture('storage-no-type.yaml');
      await waitForDiagnostics(control.document.uri, (ds) => ds.some((x) => x.source === DIAGNOSTIC_SOURCE), 'the control diagnostic');
      assert.deepEqual(stackgresDiagnostics(editor.document.uri).map(describeDiagnostic), [], file);
    }
  });

  it('an edit that breaks the schedule is reported on the schedule @restricted', async () => {
    const editor = await openFixture('cluster.yaml');
    const range = editor.document.getText().indexOf("'0 5 * * *'");
    assert.ok(range > 0);
    const start = editor.document.positionAt(range);
    await editor.edit((e) => e.replace(new vscode.Range(start, start.translate(0, "'0 5 * * *'".length)), "'0 5 0 0 0'"));
    try {
      const diags = await waitForDiagnostics(editor.document.uri, (ds) => ds.some((x) => diagnosticCode(x) === 'backup-cron-invalid'), 'backup-cron-invalid');
      const cron = diags.find((x) => diagnosticCode(x) === 'backup-cron-invalid')!;
      assert.equal(editor.document.getText(cron.range), "'0 5 0 0 0'");
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });
});

describe('Completion', () => {
  it('offers the storage types at `type:` @restricted', async () => {
    const editor = await openFixture('storage.yaml');
    const items = await completionsAt(editor.document, positionOf(editor.document, 'type: s3', { offset: 'type: '.length }));
    const labels = items.map(labelOf);
    for (const t of ['s3', 's3Compatible', 'gcs', 'azureBlob']) assert.ok(labels.includes(t), `${t} in ${labels.join(', ')}`);
  });

  it('offers the SGObjectStorage names of the workspace at `sgObjectStorage:` @restricted', async () => {
    const editor = await openFixture('cluster.yaml');
    const items = await completionsAt(editor.document, positionOf(editor.document, 'sgObjectStorage: backups-s3', { offset: 'sgObjectStorage: '.length }));
    const storage = items.find((i) => labelOf(i) === 'backups-s3');
    assert.ok(storage, `backups-s3 in ${items.map(labelOf).join(', ')}`);
    assert.match(String(storage.detail), /s3, bucket demo-stackgres-backups/);
  });

  it('offers field names with documentation inside a backups entry @restricted', async () => {
    const editor = await openFixture('cluster.yaml');
    const items = await completionsAt(editor.document, positionOf(editor.document, 'retention: 7', { offset: 0 }));
    const compression = items.find((i) => labelOf(i) === 'compression');
    assert.ok(compression, `compression in ${items.map(labelOf).join(', ')}`);
  });
});

describe('Hover', () => {
  it('explains cronSchedule: the sentence and the next three runs in UTC @restricted', async () => {
    const editor = await openFixture('cluster.yaml');
    // The server may still be starting when the first hover is asked: wait for ours.
    const text = await waitFor('the cronSchedule hover', async () => {
      const t = await hoverTextAt(editor.document, positionOf(editor.document, "'0 5 * * *'", { offset: 3 }));
      return /cronSchedule/.test(t) ? t : undefined;
    });
    assert.match(text, /At 05:00 \(UTC\)/);
    assert.equal((text.match(/^- \d{4}-\d{2}-\d{2} 05:00 UTC$/gm) ?? []).length, 3, text);
  });

  it('explains retention with the history it gives @restricted', async () => {
    const editor = await openFixture('cluster.yaml');
    const text = await waitFor('the retention hover', async () => {
      const t = await hoverTextAt(editor.document, positionOf(editor.document, 'retention: 7', { offset: 2 }));
      return /\*\*retention\*\*/.test(t) ? t : undefined;
    });
    assert.match(text, /keeps the newest 7 managed backups/);
    assert.match(text, /about \*\*7 days\*\* of history/);
  });
});

describe('Quick fixes', () => {
  it('adds the missing type from the section present, and the error goes away', async () => {
    const editor = await openFixture('storage-no-type.yaml');
    const diags = await waitForDiagnostics(editor.document.uri, (ds) => ds.some((x) => diagnosticCode(x) === 'storage-type-missing'), 'storage-type-missing');
    const missing = diags.find((x) => diagnosticCode(x) === 'storage-type-missing')!;
    const actions = await codeActionsAt(editor.document, missing.range, vscode.CodeActionKind.QuickFix);
    const add = actions.find((a) => a.title === 'Add type: s3');
    assert.ok(add, `the fix among ${actions.map((a) => a.title).join(', ')}`);
    await applyCodeAction(add);
    try {
      assert.match(editor.document.getText(), /^spec:\n {2}type: s3\n {2}s3:$/m);
      await waitForDiagnostics(editor.document.uri, (ds) => !ds.some((x) => diagnosticCode(x) === 'storage-type-missing'), 'the error to clear');
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });
});

describe('Snippets', () => {
  it('offers the StackGres snippets in a YAML file @restricted', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: 'sg-' });
    await vscode.window.showTextDocument(doc);
    const items = await completionsAt(doc, new vscode.Position(0, 3));
    const snippets = items.filter((i) => i.kind === vscode.CompletionItemKind.Snippet).map(labelOf);
    for (const prefix of ['sg-objectstorage-s3', 'sg-cluster-backups', 'sg-cluster-pitr', 'sg-backup']) {
      assert.ok(snippets.includes(prefix), `${prefix} in ${snippets.join(', ')}`);
    }
    const s3 = items.find((i) => labelOf(i) === 'sg-objectstorage-s3')!;
    assert.match(String((s3.insertText as vscode.SnippetString).value ?? s3.insertText), /kind: SGObjectStorage/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
