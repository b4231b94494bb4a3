import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { ExtensionContextHolder } from './context';
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
  ctx = new ExtensionContextHolder(context);
  await ctx.start();
  // Registered here, not by the context: the commands use the context, so it must not know them.
  context.subscriptions.push(...registerCommands(ctx));
  ctx.log.info(`StackGres extension activated in ${Date.now() - started} ms`);
  return context.extensionMode === vscode.ExtensionMode.Test ? { testing: { context: ctx, prompts, postAsPage } } : {};
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}
