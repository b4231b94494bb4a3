/**
 * What a user does in the VS Code workbench, through the keyboard, driven by Playwright: open a file with
 * Quick Open, move the cursor to a piece of text, ask for suggestions or a hover, open the Problems panel,
 * and read what the widgets show.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Page } from 'playwright-core';

export const SELECTORS = {
  workbench: '.monaco-workbench',
  statusBar: '.monaco-workbench .part.statusbar',
  quickInput: '.quick-input-widget',
  quickInputBox: '.quick-input-widget .quick-input-box input',
  quickInputRows: '.quick-input-widget .monaco-list-row',
  activeTab: '.tabs-container .tab.active',
  cursorPosition: '#status\\.editor\\.selection',
  suggestWidget: '.editor-widget.suggest-widget.visible',
  hover: '.monaco-hover:not(.hidden)',
  actionWidget: '.action-widget',
  markersPanel: '.markers-panel',
  activityBarItem: '.part.activitybar .action-item',
  sideBar: '.part.sidebar',
  sideBarRows: '.part.sidebar .monaco-list-row',
} as const;

/** Raised when the workbench did not show what was waited for; `seen` is what it showed instead. */
export class WorkbenchTimeout extends Error {
  constructor(
    message: string,
    readonly seen: string,
  ) {
    super(`${message}${seen ? `; it showed:\n${seen}` : ''}`);
  }
}

export class Workbench {
  constructor(
    readonly page: Page,
    /** The workspace folder on disk, to turn text into line:column. */
    readonly workspaceDir: string,
  ) {}

  /** Waits for the workbench to be laid out (the status bar is its last part to appear). */
  async waitUntilLoaded(timeoutMs = 60_000): Promise<void> {
    await this.page.waitForSelector(SELECTORS.statusBar, { state: 'visible', timeout: timeoutMs });
  }

  /** Opens a workspace file with Quick Open (Ctrl+P), as a user typing its name. */
  async openFile(relativePath: string): Promise<void> {
    const name = basename(relativePath);
    // Right after the workbench loads, Quick Open may still be indexing the folder and list nothing: ask again.
    for (let attempt = 1; ; attempt++) {
      await this.dismissWidgets();
      await this.page.keyboard.press('Control+P');
      await this.page.waitForSelector(SELECTORS.quickInputBox, { state: 'visible', timeout: 10_000 });
      await this.page.fill(SELECTORS.quickInputBox, relativePath);
      try {
        // The list filters as the name is typed: wait until the highlighted row is the file, then pick it.
        await this.page.waitForSelector(`${SELECTORS.quickInputRows}.focused[aria-label*="${name}"]`, { timeout: 10_000 });
        break;
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }
    await this.page.keyboard.press('Enter');
    await this.page.waitForSelector(`${SELECTORS.activeTab}[aria-label*="${name}"]`, { timeout: 15_000 });
    await this.page.waitForSelector(`${SELECTORS.quickInput}`, { state: 'hidden', timeout: 10_000 });
  }

  /**
   * Puts the cursor at a piece of text of the open file (with Go to Line/Column, Ctrl+G): at its start,
   * or `offset` characters into it. The text is looked up in the file on disk.
   */
  async putCursorAt(relativePath: string, marker: string, offset = 0): Promise<{ line: number; column: number }> {
    const text = readFileSync(join(this.workspaceDir, relativePath), 'utf8');
    const index = text.indexOf(marker);
    if (index < 0) throw new Error(`"${marker}" is not in ${relativePath}`);
    const before = text.slice(0, index + offset).split('\n');
    const line = before.length;
    const column = before[before.length - 1].length + 1;
    const target = `Ln ${line}, Col ${column}`;
    // Keystrokes typed while the picker is still opening get lost: check what it holds before Enter, and
    // try again (up to three times) if the cursor did not land.
    for (let attempt = 1; ; attempt++) {
      await this.dismissWidgets();
      // Another editor may have come over the file (VS Code 1.139 at times opens an installed extension's
      // walkthrough by itself, and Go to Line then has no text editor): bring the file back first.
      if ((await this.page.locator(`${SELECTORS.activeTab}[aria-label*="${basename(relativePath)}"]`).count()) === 0) await this.openFile(relativePath);
      try {
        await this.page.keyboard.press('Control+G');
        await this.page.waitForSelector(SELECTORS.quickInputBox, { state: 'visible', timeout: 10_000 });
        await this.page.fill(SELECTORS.quickInputBox, `:${line}:${column}`, { timeout: 5_000 });
        await this.page.keyboard.press('Enter');
        await this.waitForText(SELECTORS.cursorPosition, (t) => t.includes(target), `the cursor at ${line}:${column}`, 5_000);
        return { line, column };
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }
  }

  /**
   * Asks for suggestions (Ctrl+Space) until the suggest widget's text satisfies `expect` or the deadline
   * passes; asks again each round, since the language server may still be starting. Returns the text.
   */
  async suggest(expect: (text: string) => boolean, timeoutMs = 30_000): Promise<string> {
    return this.retrigger('the suggest widget', SELECTORS.suggestWidget, expect, timeoutMs, async () => {
      await this.page.keyboard.press('Control+Space');
    });
  }

  /** Shows the hover at the cursor with the keyboard (editor.action.showHover: Ctrl+K Ctrl+I). */
  async hover(expect: (text: string) => boolean, timeoutMs = 30_000): Promise<string> {
    return this.retrigger('the hover', SELECTORS.hover, expect, timeoutMs, async () => {
      await this.page.keyboard.press('Control+K');
      await this.page.keyboard.press('Control+I');
    });
  }

  /** Opens the Problems panel (Ctrl+Shift+M) and waits until its text satisfies `expect`. */
  async problems(expect: (text: string) => boolean, timeoutMs = 30_000): Promise<string> {
    await this.dismissWidgets();
    const visible = await this.page.isVisible(SELECTORS.markersPanel);
    if (!visible) await this.page.keyboard.press('Control+Shift+M');
    await this.page.waitForSelector(SELECTORS.markersPanel, { state: 'visible', timeout: 10_000 });
    return this.waitForText(SELECTORS.markersPanel, expect, 'the Problems panel', timeoutMs);
  }

  /**
   * Shows a view container of the activity bar (clicks its icon unless its side bar is already open) and
   * waits for its title in the side bar.
   */
  async openActivity(title: string, timeoutMs = 15_000): Promise<void> {
    await this.dismissWidgets();
    const sideBarTitle = this.page.locator(`${SELECTORS.sideBar} .composite.title`).filter({ hasText: title });
    if (await sideBarTitle.isVisible().catch(() => false)) return;
    await this.page.locator(`${SELECTORS.activityBarItem} [aria-label^="${title}"]`).first().click({ timeout: timeoutMs });
    await sideBarTitle.first().waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** Runs a command by its title from the Command Palette (Ctrl+Shift+P), as a user would. */
  async runCommand(title: string, timeoutMs = 10_000): Promise<void> {
    await this.dismissWidgets();
    await this.page.keyboard.press('Control+Shift+P');
    await this.page.waitForSelector(SELECTORS.quickInputBox, { state: 'visible', timeout: timeoutMs });
    await this.page.fill(SELECTORS.quickInputBox, `>${title}`);
    await this.page.waitForSelector(`${SELECTORS.quickInputRows}.focused[aria-label*="${title}"]`, { timeout: timeoutMs });
    await this.page.keyboard.press('Enter');
    // The palette is gone: hidden, or (VS Code 1.139 reuses the widget at once) showing the command's own
    // question instead of the typed command.
    const typed = `>${title}`;
    const widget = this.page.locator(SELECTORS.quickInput);
    const box = this.page.locator(SELECTORS.quickInputBox);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!(await widget.isVisible()) || (await box.inputValue({ timeout: 1_000 }).catch(() => '')) !== typed) return;
      if (Date.now() > deadline) throw new Error(`the command palette did not close after running "${title}"`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Drags the side bar's right edge `px` pixels to the right (long labels and descriptions fit). */
  async widenSideBar(px: number): Promise<void> {
    const box = await this.page.locator(SELECTORS.sideBar).boundingBox();
    if (!box) throw new Error('no side bar to widen');
    const x = box.x + box.width;
    const y = box.y + box.height / 2;
    await this.page.mouse.move(x - 1, y);
    await this.page.mouse.down();
    await this.page.mouse.move(x + px, y, { steps: 5 });
    await this.page.mouse.up();
  }

  /** The side bar's tree row whose label is exactly `label`. */
  treeRow(label: string) {
    return this.page.locator(SELECTORS.sideBarRows).filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) }).first();
  }

  /** Waits for a tree row in the side bar; `expand` clicks it open when it is collapsed. */
  async waitForTreeRow(label: string, options: { expand?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const timeout = options.timeoutMs ?? 20_000;
    const row = this.treeRow(label);
    try {
      await row.waitFor({ state: 'visible', timeout });
      if (options.expand && (await row.getAttribute('aria-expanded')) === 'false') {
        await row.click();
        await this.page.waitForFunction((el) => el?.getAttribute('aria-expanded') === 'true', await row.elementHandle(), { timeout });
      }
    } catch (err) {
      const rows = await this.page.locator(SELECTORS.sideBarRows).allInnerTexts().catch(() => []);
      throw new WorkbenchTimeout(`the side bar row "${label}"${options.expand ? ' (expanded)' : ''} did not show within ${timeout / 1000} s: ${String(err).split('\n')[0]}`, rows.map((r) => r.replace(/\n/g, ' ')).join('\n'));
    }
  }

  /** The visible text of the first element matching `selector`, or '' when there is none. */
  async textOf(selector: string): Promise<string> {
    const element = await this.page.$(selector);
    return element ? ((await element.innerText().catch(() => '')) ?? '') : '';
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path });
  }

  /** The quick fixes at the cursor (Ctrl+.), once the widget lists what is expected. */
  async quickFix(expect: (text: string) => boolean, timeoutMs = 30_000): Promise<string> {
    return this.retrigger('the quick fix menu', SELECTORS.actionWidget, expect, timeoutMs, async () => {
      await this.page.keyboard.press('Control+.');
    });
  }

  /**
   * The smallest rectangle holding every visible element of `selectors`, widened by `pad` pixels and kept
   * inside the page: what a README picture of these parts shows.
   */
  async regionOf(selectors: readonly string[], pad = 0): Promise<{ x: number; y: number; width: number; height: number }> {
    const boxes = [];
    for (const s of selectors) {
      const box = await this.page.locator(s).first().boundingBox().catch(() => null);
      if (box) boxes.push(box);
    }
    if (!boxes.length) throw new Error(`none of ${selectors.join(', ')} is visible`);
    const view = this.page.viewportSize() ?? { width: Infinity, height: Infinity };
    const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - pad);
    const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - pad);
    const right = Math.min(view.width, Math.max(...boxes.map((b) => b.x + b.width)) + pad);
    const bottom = Math.min(view.height, Math.max(...boxes.map((b) => b.y + b.height)) + pad);
    return { x, y, width: right - x, height: bottom - y };
  }

  /** Closes suggest widgets, hovers and pickers so the next keystroke goes to the editor. */
  async dismissWidgets(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Escape');
  }

  private async waitForText(selector: string, expect: (text: string) => boolean, what: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let text = '';
    while (Date.now() < deadline) {
      text = await this.textOf(selector);
      if (expect(text)) return text;
      await this.page.waitForTimeout(200);
    }
    throw new WorkbenchTimeout(`${what} did not show what was expected within ${timeoutMs / 1000} s`, text);
  }

  private async retrigger(
    what: string,
    selector: string,
    expect: (text: string) => boolean,
    timeoutMs: number,
    trigger: () => Promise<void>,
  ): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let text = '';
    while (Date.now() < deadline) {
      await trigger();
      // Give the widget a few seconds to fill in before asking again.
      const roundEnd = Math.min(deadline, Date.now() + 4_000);
      while (Date.now() < roundEnd) {
        text = await this.textOf(selector);
        if (expect(text)) return text;
        await this.page.waitForTimeout(200);
      }
      await this.page.keyboard.press('Escape');
    }
    throw new WorkbenchTimeout(`${what} did not show what was expected within ${timeoutMs / 1000} s`, text);
  }
}
