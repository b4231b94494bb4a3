// package.json and its English strings (package.nls.json), as VS Code reads them.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
export const manifestText = readFileSync(path.join(root, 'package.json'), 'utf8');
export const manifest = JSON.parse(manifestText) as Record<string, unknown>;
export const nls = JSON.parse(readFileSync(path.join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;

/** The English text VS Code shows for a manifest value: `%key%` replaced from package.nls.json. */
export function english(value: string): string {
  const key = /^%(.+)%$/.exec(value)?.[1];
  return key === undefined ? value : (nls[key] ?? value);
}
