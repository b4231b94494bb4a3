// Where tsconfig.json here sends `import ... from 'vscode'`: a file that is not a module, so the import
// fails to compile ("... is not a module") instead of finding @types/vscode in node_modules. The core is
// shared with the language server, which has no VS Code API.
