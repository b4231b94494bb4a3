/**
 * Entry point of the command line, `stackgres-backups <command>` (dist/cli.js, package.json `bin`): the
 * editor's checks for CI and Git hooks. A third adapter beside the extension and the language server; it
 * only dispatches to the subcommands of the table below.
 */
import * as path from 'node:path';
import { version } from '../../package.json';
import { EXIT, printable, UsageError, type CliIo, type Subcommand } from './io';
import { lint } from './lint';
import { verify } from './verify';

const COMMANDS: Readonly<Record<string, Subcommand>> = { lint, verify };

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'Usage: stackgres-backups <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "stackgres-backups <command> --help" for its options.',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.stderr(usage());
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return EXIT.ok;
  }
  if (name === '--version') {
    io.stdout(`${version}\n`);
    return EXIT.ok;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr(`Unknown command "${printable(name)}".\n\n${usage()}`);
    return EXIT.usage;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`stackgres-backups ${name}: ${err.message}\nRun "stackgres-backups ${name} --help" for the options.\n`);
      return EXIT.usage;
    }
    // Not a verdict on the manifests: CI must not read it as "no errors".
    io.stderr(`stackgres-backups ${name} failed: ${(err as Error).stack ?? String(err)}\nPlease report this with the command you ran.\n`);
    return EXIT.usage;
  }
}

if (require.main === module) {
  const io: CliIo = {
    cwd: process.cwd(),
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    // The bundle sits in dist/, beside the language server's worker, with the schemas one folder up.
    schemasDir: path.resolve(__dirname, '..', 'schemas'),
    workerFile: path.join(__dirname, 'schemaWorker.js'),
  };
  // exitCode, not exit(): a large report piped to another process is written out in full first.
  void main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
