import * as vscode from 'vscode';
import { ExtensionContextHolder } from './context';

let ctx: ExtensionContextHolder | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const started = Date.now();
  ctx = new ExtensionContextHolder(context);
  await ctx.start();
  ctx.log.info(`StackGres extension activated in ${Date.now() - started} ms`);
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}
