/** The packaged extension: `npm run package` and where it leaves the VSIX. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './bundleSuite';
import { runCommand, StepError, tailOf } from './processes';

export const EXTENSION_ID = 'stackgres-tools.stackgres-backups';

/** Runs `npm run package` (output to `logFile`) and returns the VSIX path. */
export async function packageVsix(logFile: string): Promise<string> {
  await runCommand('npm', ['run', 'package'], { step: 'package the VSIX (npm run package)', cwd: REPO_ROOT, logFile });
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const vsix = join(REPO_ROOT, 'dist', `${manifest.name}-${manifest.version}.vsix`);
  if (!existsSync(vsix)) throw new StepError('package the VSIX (npm run package)', `${vsix} was not written`, tailOf(logFile));
  return vsix;
}
