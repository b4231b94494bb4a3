/**
 * After an editor's runs: the extension host logs must hold no warning or error that our extension caused
 * (issue 16 §3: a new VS Code or Node must not make our bundles noisy). A line counts as ours when it names
 * our extension id, or its installed folder, or our bundles (dist/client.js, dist/kube.js, dist/server.js).
 * Lines about other extensions and VS Code's own (no network, GitHub authentication) are not ours, and
 * nothing after the extension host starts terminating counts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LogCheck {
  files: string[];
  /** The offending lines, each with its file. */
  findings: string[];
}

const LEVEL = /\[(warning|error)\]/i;
const OURS = /stackgres-tools\.stackgres-backups|stackgres-backups-\d|[/\\]dist[/\\](client|kube|server)\.js/i;

/** Lines of `text` at warning or error level that are about our extension; a multi-line entry counts from its first line. */
export function ourWarnings(text: string): string[] {
  const found: string[] = [];
  // Entries start with a timestamp; a stack trace under one belongs to it.
  const entries = text.split(/\n(?=\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)/);
  for (const entry of entries) {
    // Once the window has gone (the driver closes the page), requests still in flight fail and the language
    // client logs them to its closed channel ("Channel has been closed"): teardown, not a fault a user meets.
    if (/\[info\] Extension host terminating/.test(entry)) break;
    const first = entry.split('\n')[0];
    if (!LEVEL.test(first)) continue;
    // The message and its stack frames; not the lists VS Code appends (its extension path mappings name every extension).
    const telling = entry.split('\n').filter((l, i) => i === 0 || /^\s+at /.test(l) || /^\s*FROM: /.test(l));
    if (telling.some((l) => OURS.test(l))) found.push(entry.length > 2000 ? `${entry.slice(0, 2000)}…` : entry);
  }
  return found;
}

/** Reads every extension host log (remoteexthost.log, exthost.log) under `dirs`. */
export function checkExtensionHostLogs(dirs: string[]): LogCheck {
  const files: string[] = [];
  const findings: string[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const rel of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      if (!/(^|\/)(remoteexthost|exthost)\d*\.log$/.test(rel)) continue;
      const file = join(dir, rel);
      files.push(file);
      for (const line of ourWarnings(readFileSync(file, 'utf8'))) findings.push(`${file}:\n${line}`);
    }
  }
  return { files, findings };
}
