/**
 * Entry point of the bundled server: `node dist/server.js --stdio` (or `--node-ipc` when VS Code starts it).
 */
import { setFlagsFromString } from 'node:v8';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { RUNTIME_V8_FLAGS } from '@core/memoryLimits';
import { startServer } from './server';

setFlagsFromString(RUNTIME_V8_FLAGS);
startServer(createConnection(ProposedFeatures.all));
