/**
 * The files `lint` checks, from its arguments: files as named, folders searched recursively, globs matched
 * while walking from their fixed part. Bounded: the walk stops past `maxFiles`, never follows a symbolic
 * link found in a folder, and skips the folders the language server's workspace scan skips.
 */
import { promises as fs, type Dirent } from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';

/** The folders the workspace scan of the language server skips (workspaceIndex.ts), and hidden ones. */
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out', '.vscode-test', '.hg', '.svn', 'vendor', 'test-results']);
const YAML_FILE = /\.ya?ml$/i;

export interface FileList {
  /** Absolute paths, sorted, each once. */
  readonly files: string[];
  /** Helm chart templates found, not checked. */
  readonly chartTemplates: string[];
  /** An argument that named nothing to check, or a folder that could not be read: exit 2. */
  readonly problems: string[];
  /** More files than the cap: nothing is checked. */
  readonly overCap: boolean;
}

export async function collectFiles(args: readonly string[], cwd: string, maxFiles: number): Promise<FileList> {
  const found = new Set<string>();
  const chartTemplates = new Set<string>();
  const problems: string[] = [];
  const charts = new ChartFinder();
  let overCap = false;
  const unreadable = (dir: string, err: unknown) => problems.push(`${path.relative(cwd, dir) || '.'}: folder cannot be read (${describe(err)})`);
  /** YAML files the current argument yielded, including ones an earlier argument yielded too. */
  let yielded = 0;
  const add = async (file: string): Promise<boolean> => {
    yielded++;
    if (found.has(file) || chartTemplates.has(file)) return true;
    if (await charts.isTemplate(file)) chartTemplates.add(file);
    else found.add(file);
    // Templates count too: they are listed (skipped) one by one.
    overCap = found.size + chartTemplates.size > maxFiles;
    return !overCap;
  };

  for (const arg of args) {
    if (overCap) break;
    const abs = path.resolve(cwd, arg);
    yielded = 0;
    let stat: import('node:fs').Stats | undefined;
    try {
      stat = await fs.stat(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        problems.push(`${arg}: cannot be read (${describe(err)})`);
        continue;
      }
    }
    if (stat?.isFile()) {
      // A file named on the command line is checked whatever its name.
      await add(abs);
    } else if (stat?.isDirectory()) {
      await walk(abs, unreadable, (file) => (YAML_FILE.test(file) ? add(file) : Promise.resolve(true)));
      if (yielded === 0) problems.push(`${arg}: no .yaml or .yml file in this folder`);
    } else if (stat) {
      problems.push(`${arg}: not a regular file or folder`);
    } else if (picomatch.scan(arg).isGlob) {
      await walkGlob(arg, cwd, unreadable, add);
      if (yielded === 0) problems.push(`${arg}: no .yaml or .yml file matches this glob`);
    } else {
      problems.push(`${arg}: no such file or folder`);
    }
  }
  return { files: [...found].sort(), chartTemplates: [...chartTemplates].sort(), problems, overCap };
}

/** Globs are written with forward slashes; matched against paths relative to `cwd` (or absolute ones for an absolute glob). */
async function walkGlob(glob: string, cwd: string, unreadable: (dir: string, err: unknown) => void, add: (file: string) => Promise<boolean>): Promise<void> {
  const pattern = glob.replace(/^\.\//, '');
  const { base } = picomatch.scan(pattern);
  const matches = picomatch(pattern);
  const absolute = path.isAbsolute(pattern);
  const root = path.resolve(cwd, base || '.');
  try {
    if (!(await fs.stat(root)).isDirectory()) return;
  } catch {
    return;
  }
  await walk(root, unreadable, async (file) => {
    const rel = (absolute ? file : path.relative(cwd, file)).split(path.sep).join('/');
    return YAML_FILE.test(file) && matches(rel) ? add(file) : true;
  });
}

/** Calls `visit` for each regular file under `dir` until it returns false. Symbolic links are not followed. */
async function walk(dir: string, unreadable: (dir: string, err: unknown) => void, visit: (file: string) => Promise<boolean>): Promise<boolean> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    unreadable(dir, err);
    return true;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (SKIP_DIRS.has(e.name) || e.name.startsWith('.')) continue;
      if (!(await walk(full, unreadable, visit))) return false;
    } else if (e.isFile()) {
      if (!(await visit(full))) return false;
    }
  }
  return true;
}

/** Whether a file lies under the `templates/` folder of a Helm chart (a folder with a Chart.yaml). */
class ChartFinder {
  private readonly charts = new Map<string, boolean>();

  async isTemplate(file: string): Promise<boolean> {
    for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      if (path.basename(dir) === 'templates' && (await this.isChart(path.dirname(dir)))) return true;
    }
    return false;
  }

  private async isChart(dir: string): Promise<boolean> {
    let known = this.charts.get(dir);
    if (known === undefined) {
      known = await fs.stat(path.join(dir, 'Chart.yaml')).then((s) => s.isFile(), () => false);
      this.charts.set(dir, known);
    }
    return known;
  }
}

export function describe(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'it no longer exists';
    case 'EISDIR':
      return 'it is a folder';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return code ?? (err as Error).message;
  }
}
