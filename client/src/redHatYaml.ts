/**
 * Registers with Red Hat YAML's contributor API (`registerContributor`, vscode-yaml 1.x) so that StackGres
 * documents get our empty schema and no other contributor's (see coexistence.ts for when). Other YAML files
 * are untouched: for them our contributor answers nothing and Red Hat YAML proceeds as before.
 */
import * as vscode from 'vscode';
import { CLAIM_SCHEMA_CONTENT, CLAIM_SCHEMA_URI, mentionsStackGres, STACKGRES_LABEL } from './coexistence';

export const RED_HAT_YAML_ID = 'redhat.vscode-yaml';
const SCHEME = 'stackgres';

interface SchemaContributorApi {
  registerContributor(schema: string, requestSchema: (resource: string) => string | undefined, requestSchemaContent: (uri: string) => string | undefined, label?: string): boolean;
  hasProvider?(scheme: string): boolean;
}

export function redHatYamlInstalled(): boolean {
  return vscode.extensions.getExtension(RED_HAT_YAML_ID) !== undefined;
}

/**
 * Activates Red Hat YAML and registers our contributor. Resolves with what happened, for the log; never
 * throws (Red Hat YAML failing to start must not stop ours).
 */
export async function claimStackGresDocuments(): Promise<string> {
  const ext = vscode.extensions.getExtension<unknown>(RED_HAT_YAML_ID);
  if (!ext) return 'Red Hat YAML is not installed';
  let api: unknown;
  try {
    api = await ext.activate();
  } catch (err) {
    return `Red Hat YAML did not activate (${String(err)}): it may repeat StackGres checks if it gets a StackGres schema elsewhere`;
  }
  const contributor = api as Partial<SchemaContributorApi> | undefined;
  if (typeof contributor?.registerContributor !== 'function') return `Red Hat YAML ${String(ext.packageJSON.version)} has no contributor API: it may repeat StackGres checks`;
  if (contributor.hasProvider?.(SCHEME)) return 'already registered with Red Hat YAML';
  const requestSchema = (resource: string): string | undefined => {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === resource);
    return doc && mentionsStackGres(doc.getText()) ? CLAIM_SCHEMA_URI : undefined;
  };
  const requestSchemaContent = (uri: string): string | undefined => (uri === CLAIM_SCHEMA_URI ? CLAIM_SCHEMA_CONTENT : undefined);
  contributor.registerContributor(SCHEME, requestSchema, requestSchemaContent, STACKGRES_LABEL);
  return `StackGres documents are checked by StackGres only: Red Hat YAML ${String(ext.packageJSON.version)} gets no other schema for them (settings stackgres.validate.schema, stackgres.completion, stackgres.hover)`;
}
