import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { WALKTHROUGH_ID } from './commands/cluster';
import { watchForLeftDrills } from './commands/drill';
import { ExtensionContextHolder } from './context';
import { useLocalize } from './localize';
import * as prompts from './ui/prompts';
import { postAsPage } from './webviews/recoverableWindow';

let ctx: ExtensionContextHolder | undefined;

/** What the integration suite may reach, in the extension's test mode only. */
export interface TestingApi {
  readonly context: ExtensionContextHolder;
  readonly prompts: typeof prompts;
  /** Posts to a recoverable-window panel as its page would. */
  readonly postAsPage: typeof postAsPage;
}

export async function activate(context: vscode.ExtensionContext): Promise<{ testing?: TestingApi }> {
  const started = Date.now();
  // Before anything can fail: the Kubernetes layer and the restore writer translate through this.
  useLocalize(vscode.l10n);
  ctx = new ExtensionContextHolder(context);
  await ctx.start();
  // Registered here, not by the context: the commands use the context, so it must not know them.
  context.subscriptions.push(...registerCommands(ctx), watchForLeftDrills(ctx));
  ctx.log.info(`StackGres extension activated in ${Date.now() - started} ms`);
  offerWalkthroughOnce(context);
  return context.extensionMode === vscode.ExtensionMode.Test ? { testing: { context: ctx, prompts, postAsPage } } : {};
}

const WALKTHROUGH_OFFERED = 'stackgres.walkthroughOffered';

/**
 * The first time the extension runs in a profile, the Getting Started walkthrough opens beside the editor, as
 * VS Code does for extensions installed from the Marketplace view (and following the same setting, which also
 * covers installs from the command line or a VSIX). Once: the walkthrough stays in Welcome › Walkthroughs.
 */
function offerWalkthroughOnce(context: vscode.ExtensionContext): void {
  if (context.extensionMode === vscode.ExtensionMode.Test || context.globalState.get<boolean>(WALKTHROUGH_OFFERED)) return;
  if (!vscode.workspace.getConfiguration('workbench.welcomePage').get<boolean>('walkthroughs.openOnInstall', true)) return;
  void context.globalState.update(WALKTHROUGH_OFFERED, true);
  void vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}
