/**
 * Whether a workspace's own settings file (`.vscode/settings.json`, or a `.code-workspace` file's `settings`)
 * sets `stackgres.kubeconfig`. VS Code ignores that value already (the setting is machine-scoped, so a cloned
 * repository cannot choose the cluster); this lets the log say so. No vscode import.
 */

export const KUBECONFIG_SETTING = 'stackgres.kubeconfig';

export function setsKubeconfig(text: string, file: 'folder' | 'workspaceFile'): boolean {
  const parsed = parseJsonc(text);
  const settings = file === 'workspaceFile' ? objectOrUndefined(objectOrUndefined(parsed)?.settings) : objectOrUndefined(parsed);
  if (!settings) return false;
  // VS Code accepts the dotted key and the nested form alike.
  return settings[KUBECONFIG_SETTING] !== undefined || objectOrUndefined(settings.stackgres)?.kubeconfig !== undefined;
}

/** The `stackgres.kubeconfig` string a settings file (User or Remote) sets; undefined when it sets none. */
export function kubeconfigSetting(text: string): string | undefined {
  const settings = objectOrUndefined(parseJsonc(text));
  const value = settings?.[KUBECONFIG_SETTING] ?? objectOrUndefined(settings?.stackgres)?.kubeconfig;
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** JSON with comments and trailing commas, as VS Code's settings files are; undefined when it is not that. */
function parseJsonc(text: string): unknown {
  // Strings are matched first so that `//`, `/*` and commas inside them stay.
  const withoutComments = text.replace(/("(?:[^"\\]|\\.)*")|\/\/[^\r\n]*|\/\*[\s\S]*?\*\//g, (_m, str: string | undefined) => str ?? '');
  const withoutTrailingCommas = withoutComments.replace(/("(?:[^"\\]|\\.)*")|,(?=\s*[}\]])/g, (_m, str: string | undefined) => str ?? '');
  try {
    return JSON.parse(withoutTrailingCommas) as unknown;
  } catch {
    return undefined;
  }
}

function objectOrUndefined(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
