/**
 * Debian's Chromium driven by playwright-core (which never downloads a browser). The browser runs as a
 * Playwright browser server so its process id is known and it can be killed whatever state it is in.
 */
import { createWriteStream } from 'node:fs';
import { Browser, chromium, Page } from 'playwright-core';
import { assertChromium } from './install';
import { assertNotStopping, delay, onCleanup, StepError, stopGroup } from './processes';

// Without the background-networking flags Chromium keeps trying hosts this machine cannot reach.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface RunningBrowser {
  browser: Browser;
  pid: number;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<RunningBrowser> {
  assertNotStopping('start chromium');
  const executablePath = assertChromium();
  let server;
  try {
    // Playwright gives the browser a new empty profile and removes it on close.
    // Playwright's own Ctrl-C handling would exit the driver (code 130) before its cleanups ran: the driver
    // stops the browser itself (runMain's cleanups).
    server = await chromium.launchServer({ executablePath, headless: true, args: CHROMIUM_ARGS, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
  } catch (err) {
    throw new StepError('start chromium', `${executablePath} did not start`, String(err));
  }
  const pid = server.process().pid;
  if (pid === undefined) throw new StepError('start chromium', 'the browser has no process id');
  let browser: Browser | undefined;
  const close = async () => {
    unregister();
    // Polite first, bounded: the process group is killed below whatever the browser answers.
    await Promise.race([Promise.all([browser?.close(), server.close()]).catch(() => undefined), delay(5_000)]);
    // Playwright starts Chromium in its own process group: take its renderers and helpers with it.
    await stopGroup(pid, 5_000);
  };
  const unregister = onCleanup(`chromium (pid ${pid})`, close);
  browser = await chromium.connect(server.wsEndpoint());
  return { browser, pid, close };
}

/** A 1400x900 page whose console messages and page errors are appended to `consoleLog`. */
export async function newWorkbenchPage(browser: Browser, consoleLog: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const log = createWriteStream(consoleLog, { flags: 'a' });
  page.on('console', (m) => log.write(`[${new Date().toISOString()}] ${m.type()}: ${m.text()}\n`));
  page.on('pageerror', (e) => log.write(`[${new Date().toISOString()}] pageerror: ${e.message}\n`));
  page.on('close', () => log.end());
  return page;
}
