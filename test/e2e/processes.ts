/**
 * Child processes for the drivers: commands that must succeed, long-running services in their own process
 * group, and one cleanup list that runs on success, failure and Ctrl-C alike.
 */
import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { TimedOut, waitFor } from '../poll';

/** A step that went wrong, with what the user needs to see to fix it. */
export class StepError extends Error {
  constructor(
    readonly step: string,
    message: string,
    readonly details?: string,
  ) {
    super(`${step}: ${message}`);
  }
}

type Cleanup = { name: string; run: () => Promise<void> };
const cleanups: Cleanup[] = [];
let draining: Promise<void> | undefined;
let stopSignal: NodeJS.Signals | undefined;

/** Registers something to undo; cleanups run last-in, first-out. Returns a function that unregisters it. */
export function onCleanup(name: string, run: () => Promise<void>): () => void {
  const entry = { name, run };
  cleanups.push(entry);
  return () => {
    const i = cleanups.indexOf(entry);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

/** Runs every registered cleanup, including any registered while it runs. */
export async function cleanUp(): Promise<void> {
  while (draining) await draining;
  draining = (async () => {
    while (cleanups.length > 0) {
      const c = cleanups.pop()!;
      try {
        // A cleanup that hangs must not keep the others from running.
        await Promise.race([c.run(), delay(30_000).then(() => Promise.reject(new Error('no answer within 30 s')))]);
      } catch (err) {
        console.error(`cleanup "${c.name}" failed: ${String(err)}`);
      }
    }
  })();
  await draining;
  draining = undefined;
}

/** Whether Ctrl-C (or SIGTERM) asked the driver to stop. */
export function stopRequested(): boolean {
  return stopSignal !== undefined;
}

/** Throws instead of starting `step` once a stop was asked for. */
export function assertNotStopping(step: string): void {
  if (stopSignal) throw new StepError(step, `not started: ${stopSignal} asked the driver to stop`);
}

/**
 * Runs `main`, then the cleanups, and exits with main's code. On Ctrl-C or SIGTERM nothing new starts,
 * the cleanups run at once and the driver exits when they are done (at the latest after a minute),
 * without waiting for `main`. Nothing the driver started outlives it.
 */
export function runMain(main: () => Promise<number>): void {
  const onSignal = (signal: NodeJS.Signals) => {
    // npm passes the terminal's Ctrl-C on as well, so one press can arrive twice.
    if (stopSignal) return;
    stopSignal = signal;
    const exitCode = signal === 'SIGINT' ? 130 : 143;
    console.error(`\n${signal} received: stopping what was started`);
    setTimeout(() => process.exit(exitCode), 60_000);
    void cleanUp().finally(() => process.exit(exitCode));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  void main()
    .catch((err: unknown) => {
      if (!stopSignal) reportError(err);
      return 1;
    })
    .then(async (code) => {
      if (stopSignal) return;
      await cleanUp();
      process.exit(code);
    });
}

/** Prints which step failed and the log lines that tell why. */
export function reportError(err: unknown): void {
  if (err instanceof StepError) {
    console.error(`\nFAILED at step "${err.step}": ${err.message.slice(err.step.length + 2)}`);
    if (err.details) console.error(indent(err.details));
  } else {
    console.error('\nFAILED:', err instanceof Error ? (err.stack ?? err.message) : String(err));
  }
}

export function indent(text: string, prefix = '  | '): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

/** The last lines of a log file, for error reports. */
export function tailOf(file: string, lines = 40): string {
  if (!existsSync(file)) return `(no log at ${file})`;
  const all = readFileSync(file, 'utf8').trimEnd().split('\n');
  return `${file} (last ${Math.min(lines, all.length)} lines):\n${all.slice(-lines).join('\n')}`;
}

export interface CommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Append stdout and stderr here instead of the console. */
  logFile?: string;
  /** Name of the step, for the error message. */
  step: string;
}

/** Runs a command to completion in its own process group; throws a StepError with the output tail on failure. */
export async function runCommand(command: string, args: string[], opts: CommandOptions): Promise<void> {
  assertNotStopping(opts.step);
  const log = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  if (log) log.write(`\n$ ${command} ${args.join(' ')}  (in ${opts.cwd ?? process.cwd()})\n`);
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: log ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  const unregister = onCleanup(`${opts.step} (pid ${child.pid})`, () => stopProcessGroup(child, 5_000));
  let tail = '';
  const keep = (chunk: Buffer) => {
    log?.write(chunk);
    tail = (tail + chunk.toString()).slice(-6_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 128 : null)));
  }).finally(() => unregister());
  await new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()));
  if (code !== 0) {
    throw new StepError(opts.step, `\`${command} ${args.join(' ')}\` exited with ${code}`, tail || undefined);
  }
}

/** Captures a command's stdout; resolves undefined when it cannot run or fails. */
export function commandOutput(command: string, args: string[], options: SpawnOptions = {}): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', () => resolve(undefined));
    child.on('exit', (code) => resolve(code === 0 ? out : undefined));
  });
}

/** Whether a process is alive (a zombie waiting to be reaped is not). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = safeRead(`/proc/${pid}/stat`);
  return stat === undefined || stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/**
 * Stops a process started with `detached: true` (so it leads its own group) together with its children:
 * SIGTERM to the group, then SIGKILL when it has not gone within `graceMs`.
 */
export async function stopProcessGroup(child: ChildProcess, graceMs: number): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  await stopGroup(pid, graceMs);
}

/**
 * Stops the process group `pgid` and every descendant of its leader, including any that moved to a group
 * of their own (terminals do): SIGTERM, then SIGKILL for whatever is left after `graceMs`.
 */
export async function stopGroup(pgid: number, graceMs: number): Promise<void> {
  const known = new Set<number>([pgid, ...descendantsOf(pgid)]);
  const signalAll = (signal: NodeJS.Signals) => {
    for (const pid of descendantsOf(pgid)) known.add(pid);
    trySignal(-pgid, signal);
    for (const pid of known) trySignal(pid, signal);
  };
  const anyAlive = () => [...known, ...descendantsOf(pgid)].some((pid) => isRunning(pid)) || groupHasLiveMember(pgid);
  if (!anyAlive()) return;
  signalAll('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!anyAlive()) return;
    await delay(100);
  }
  signalAll('SIGKILL');
  const killDeadline = Date.now() + 5_000;
  while (anyAlive() && Date.now() < killDeadline) await delay(100);
}

/** Whether any process of group `pgid` is alive and not a zombie. */
function groupHasLiveMember(pgid: number): boolean {
  if (!trySignal(-pgid, 0)) return false;
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = safeRead(`/proc/${entry}/stat`);
    const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields && Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
}

function trySignal(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Every live descendant of `pid`, from /proc (Linux). */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = safeRead(`/proc/${entry}/stat`);
    // The command name (2nd field) is in parentheses and may hold spaces: read the fields after it.
    const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = fields ? Number(fields[1]) : NaN;
    if (!Number.isFinite(ppid)) continue;
    if (fields?.[0] === 'Z') continue;
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function safeRead(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Polling interval for wait loops (not a fixed wait: every caller loops on a condition with a deadline). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a value other than undefined, or throws a StepError at the deadline. */
export async function pollUntil<T>(
  step: string,
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
  onTimeoutDetails?: () => string,
): Promise<T> {
  const probed = (): Promise<T | undefined> | T | undefined => {
    assertNotStopping(step);
    return probe();
  };
  return waitFor(what, probed, timeoutMs, 250).catch((err: unknown) => {
    if (err instanceof TimedOut) throw new StepError(step, `waited ${Math.round(timeoutMs / 1000)} s for ${what}`, onTimeoutDetails?.());
    throw err;
  });
}
