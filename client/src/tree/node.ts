import type * as vscode from 'vscode';

/** An item of the StackGres tree: its TreeItem and its children. Apart from the node classes, so they can live in several files. */
export interface Node {
  treeItem(): vscode.TreeItem;
  children(): Node[] | Promise<Node[]>;
  readonly id: string;
}
