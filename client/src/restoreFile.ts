/**
 * Writing the restore manifest (`restore/<name>.yaml`) into a workspace folder,
 * which is untrusted: a repository can ship `restore/` as a symbolic link to anywhere. Links (of the folders
 * on the way and of the file) are refused, the path stays inside the folder, an existing file is replaced
 * only when the caller says the user agreed, and the final open does not follow a link put there meanwhile.
 * No vscode here: tested on real folders.
 */
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { UserError } from './errors';
import { t } from './localize';

export interface RestoreFileTarget {
  /** Absolute path of the file. */
  readonly path: string;
  /** A regular file is there already: replace it only after asking. */
  readonly exists: boolean;
}

/**
 * Where `relative` (slash-separated) lands inside `folder`, refusing links and anything that is not a plain
 * folder or file on the way. With `create`, missing folders are made (one level at a time, never through a link).
 */
export async function restoreFileTarget(folder: string, relative: string, options: { create?: boolean } = {}): Promise<RestoreFileTarget> {
  const parts = relative.split('/');
  if (path.isAbsolute(relative) || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\'))) {
    throw new UserError(t('{0} is not a plain path inside the workspace folder.', relative));
  }
  // The folder itself may be reached through a link (e.g. a home folder on another disk): that is the user's.
  const root = await fs.realpath(folder);
  let current = root;
  for (const [i, part] of parts.entries()) {
    current = path.join(current, part);
    const shown = parts.slice(0, i + 1).join('/');
    const last = i === parts.length - 1;
    const st = await fs.lstat(current).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (st?.isSymbolicLink()) {
      const to = await fs.readlink(current).catch(() => 'elsewhere');
      throw new UserError(
        last
          ? t('{0} in the workspace folder is a symbolic link (to {1}), so the restore manifest is not written through it: it could land outside the workspace. Nothing was written. Replace the link with a real file (or remove it), then run Restore again.', shown, to)
          : t('{0} in the workspace folder is a symbolic link (to {1}), so the restore manifest is not written through it: it could land outside the workspace. Nothing was written. Replace the link with a real folder (or remove it), then run Restore again.', shown, to),
      );
    }
    if (last) {
      if (st && !st.isFile()) throw new UserError(t('{0} in the workspace folder is not a file. Nothing was written. Move it away, then run Restore again.', shown));
      // Another name of a file elsewhere: writing would change that file too.
      if (st && st.nlink > 1) throw new UserError(t('{0} in the workspace folder is a hard link shared with another file. Nothing was written. Remove it, then run Restore again.', shown));
      return { path: current, exists: st !== undefined };
    }
    if (!st) {
      if (!options.create) continue;
      await fs.mkdir(current).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      // Made by someone else meanwhile: look again (it may be a link).
      const made = await fs.lstat(current);
      if (made.isSymbolicLink() || !made.isDirectory()) throw new UserError(t('{0} in the workspace folder changed while the restore manifest was being written. Nothing was written. Run Restore again.', shown));
    } else if (!st.isDirectory()) {
      throw new UserError(t('{0} in the workspace folder is not a folder. Nothing was written. Move it away, then run Restore again.', shown));
    }
  }
  throw new UserError(t('{0} is not a plain path inside the workspace folder.', relative));
}

/**
 * Writes `bytes` to `relative` inside `folder`. Without `replace` an existing file is never touched (it fails
 * with a message); with it, only a regular file is. The open does not follow a link at the last step.
 */
export async function writeRestoreFile(folder: string, relative: string, bytes: Uint8Array, options: { replace: boolean }): Promise<string> {
  const target = await restoreFileTarget(folder, relative, { create: true });
  if (target.exists && !options.replace) throw new UserError(t('{0} appeared in the workspace folder meanwhile. Nothing was written. Run Restore again to decide whether to replace it.', relative));
  const flags = constants.O_WRONLY | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0) | (options.replace ? constants.O_TRUNC : constants.O_EXCL);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(target.path, flags, 0o644);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ELOOP') throw new UserError(t('{0} changed in the workspace folder while the restore manifest was being written. Nothing was written. Run Restore again.', relative));
    throw e;
  }
  try {
    await handle.writeFile(bytes);
  } finally {
    await handle.close();
  }
  return target.path;
}
