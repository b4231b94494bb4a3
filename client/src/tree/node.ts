/**
 * What every row of the StackGres tree is, and the row that only says something (a problem, a hint, a next step).
 * Apart from the node classes, so they can live in several files.
 */
import * as vscode from 'vscode';
import { messageTooltip } from './tooltips';

/** An item of the StackGres tree: its TreeItem and its children. */
export interface Node {
  treeItem(): vscode.TreeItem;
  children(): Node[] | Promise<Node[]>;
  readonly id: string;
  /** A tooltip built only when the row is hovered (TreeDataProvider.resolveTreeItem), for kinds of rows there are thousands of. */
  hoverTooltip?(): vscode.MarkdownString;
}

export class MessageNode implements Node {
  constructor(
    readonly id: string,
    private readonly label: string,
    private readonly detail: string | undefined,
    private readonly icon: string,
    private readonly command?: vscode.Command,
    /** The tooltip's text when it says more than `detail`. */
    private readonly tooltip?: string,
  ) {}

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.tooltip = new vscode.MarkdownString(messageTooltip(this.label, this.tooltip ?? this.detail));
    item.description = this.detail;
    item.command = this.command;
    item.contextValue = 'stackgres.message';
    return item;
  }

  children(): Node[] {
    return [];
  }
}
