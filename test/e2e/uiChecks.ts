/**
 * What a user sees in the workbench on the fixture workspace, checked through the UI after the suite:
 * suggestions for an SGObjectStorage `type`, the hover of a backup schedule, the Problems panel, and the
 * StackGres view on the sandbox cluster, the recoverable-window picture of its cluster, and Apply Manifest's
 * diff and dry-run rejections.
 * Each check leaves a screenshot test-results/<editor>/ui-<name>.png. With a README folder (`npm run screenshots`),
 * the checks that have a `readme` picture also save the part of the window it shows there, cropped small.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SELECTORS, Workbench } from './workbench';

export interface UiCheckResult {
  title: string;
  passed: boolean;
  durationMs: number;
  screenshot: string;
  error?: string;
}

interface UiCheck {
  name: string;
  title: string;
  /** Needs the sandbox's Kubernetes API: left out of a run without one (a plain clone). */
  cluster?: true;
  run(workbench: Workbench): Promise<void>;
  /** The README picture this check leaves: file name (images/screenshots/) and the parts it shows. */
  readme?: { image: string; parts: readonly string[]; pad?: number };
}

/** The editor line with the cursor (its line number included), for pictures of a widget at that line. */
const CURRENT_LINE = '.part.editor .current-line';

export const UI_CHECKS: UiCheck[] = [
  {
    name: 'suggest-storage-type',
    title: 'suggestions at `type:` in storage.yaml list s3Compatible',
    async run(wb) {
      await wb.openFile('storage.yaml');
      await wb.putCursorAt('storage.yaml', 'type: s3', 'type: s3'.length);
      await wb.suggest((text) => /\bs3Compatible\b/.test(text));
    },
  },
  {
    name: 'hover-cron-schedule',
    title: 'the hover on `cronSchedule` in cluster.yaml says 05:00',
    async run(wb) {
      await wb.openFile('cluster.yaml');
      await wb.putCursorAt('cluster.yaml', 'cronSchedule', 3);
      await wb.hover((text) => text.includes('05:00'));
    },
    readme: { image: 'cron-hover.png', parts: [SELECTORS.hover, CURRENT_LINE], pad: 8 },
  },
  {
    name: 'quick-fix-storage-type',
    title: 'the quick fixes at the missing `type` of storage-no-type.yaml offer "Add type: s3"',
    async run(wb) {
      await wb.runCommand('View: Close All Editors');
      await wb.openFile('storage-no-type.yaml');
      // The Problems panel stays open below, so the picture shows the problem's message with its fix.
      await wb.problems((text) => text.includes('storage-no-type.yaml') && text.includes("No `type`"));
      await wb.putCursorAt('storage-no-type.yaml', 'spec:', 1);
      await wb.quickFix((text) => text.includes('Add type: s3'));
    },
    readme: { image: 'quick-fix.png', parts: [SELECTORS.actionWidget, CURRENT_LINE, SELECTORS.markersPanel], pad: 4 },
  },
  {
    name: 'problems-storage-no-type',
    title: 'the Problems panel lists a StackGres problem in storage-no-type.yaml',
    async run(wb) {
      await wb.openFile('storage-no-type.yaml');
      // Under the file's row, a marker row shows its message, then its source and code on lines of their own.
      await wb.problems((text) => text.includes('storage-no-type.yaml') && /^stackgres$/m.test(text));
    },
  },
  {
    name: 'tree',
    cluster: true,
    title: 'the StackGres view shows the sandbox cluster demo-db and its backups',
    async run(wb) {
      // Room for the view alone: no editors, no panel, a wider side bar.
      await wb.runCommand('View: Close All Editors');
      if (await wb.page.isVisible('.part.panel')) await wb.runCommand('View: Hide Panel').catch(() => undefined);
      await wb.openActivity('StackGres');
      await wb.widenSideBar(260).catch(() => undefined);
      // Context and namespaces open expanded; a cluster opens on a click.
      await wb.waitForTreeRow('demo-db', { expand: true, timeoutMs: 30_000 });
      await wb.waitForTreeRow('demo-db-before-upgrade');
      await wb.waitForTreeRow('demo-db-nightly-check');
    },
    readme: { image: 'tree.png', parts: [SELECTORS.sideBar] },
  },
  {
    name: 'recoverable-window',
    cluster: true,
    title: 'the recoverable window of demo-db shows its backups on a time axis and offers the restore of a clicked backup',
    async run(wb) {
      await wb.runCommand('View: Close All Editors');
      if (await wb.page.isVisible(SELECTORS.sideBar)) await wb.runCommand('View: Close Primary Side Bar');
      // From the Command Palette: the command asks which cluster.
      await wb.page.keyboard.press('Control+Shift+P');
      await wb.page.waitForSelector(SELECTORS.quickInputBox, { state: 'visible', timeout: 10_000 });
      await wb.page.fill(SELECTORS.quickInputBox, '>StackGres: Show Recoverable Window');
      await wb.page.waitForSelector(`${SELECTORS.quickInputRows}.focused[aria-label*="Show Recoverable Window"]`, { timeout: 10_000 });
      await wb.page.keyboard.press('Enter');
      await wb.page.waitForSelector(`${SELECTORS.quickInputRows}[aria-label*="demo-db"]`, { timeout: 30_000 });
      await wb.page.fill(SELECTORS.quickInputBox, 'demo-db');
      await wb.page.waitForSelector(`${SELECTORS.quickInputRows}.focused[aria-label*="demo-db"]`, { timeout: 10_000 });
      await wb.page.keyboard.press('Enter');
      const page = wb.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      await page.locator('h1', { hasText: 'Recoverable window: demo/demo-db' }).waitFor({ timeout: 30_000 });
      await page.locator('#restorable').waitFor({ timeout: 10_000 });
      // Clicking a backup kept by retention offers its restore, and the restore command answers.
      await page.locator('.marker.fate-kept').last().click();
      await page.locator('#details button', { hasText: 'Restore this backup…' }).click({ timeout: 10_000 });
      await wb.page.waitForSelector(SELECTORS.quickInput, { state: 'visible', timeout: 15_000 });
      await wb.dismissWidgets();
      // Left for the screenshot: the picture with a backup selected and its restore offer.
      await page.locator('.marker.fate-kept').last().click();
      await page.locator('#details button', { hasText: 'Restore to this instant…' }).waitFor({ timeout: 10_000 });
    },
    readme: { image: 'recoverable-window.png', parts: ['.part.editor'] },
  },
  {
    name: 'backup-logs',
    cluster: true,
    title: "Show Backup Logs on demo-db's Failed backup opens the logs page: its Job pod is gone, the status' failure and timing, the Events",
    async run(wb) {
      await wb.runCommand('View: Close All Editors');
      if (await wb.page.isVisible(SELECTORS.sideBar)) await wb.runCommand('View: Close Primary Side Bar');
      await wb.runCommand('StackGres: Show Backup Logs');
      // Filter first: with the sandbox's many backups the row may be scrolled out of the rendered list.
      await wb.page.waitForSelector(SELECTORS.quickInputRows, { timeout: 30_000 });
      await wb.page.fill(SELECTORS.quickInputBox, 'demo-db-nightly-check');
      await wb.page.waitForSelector(`${SELECTORS.quickInputRows}.focused[aria-label*="demo-db-nightly-check"]`, { timeout: 10_000 });
      await wb.page.keyboard.press('Enter');
      await wb.page.locator('.part.editor .view-lines', { hasText: 'no longer exists' }).waitFor({ timeout: 30_000 });
      await wb.page.locator('.part.editor .view-lines', { hasText: 'Events of SGBackup demo-db-nightly-check' }).waitFor({ timeout: 15_000 });
    },
    readme: { image: 'backup-logs.png', parts: ['.part.editor'] },
  },
  {
    name: 'apply-review',
    cluster: true,
    title: 'Apply Manifest opens live vs after apply in the diff editor and asks before writing',
    async run(wb) {
      writeFileSync(join(wb.workspaceDir, 'apply-review.yaml'), APPLY_REVIEW);
      await wb.runCommand('View: Close All Editors');
      if (await wb.page.isVisible(SELECTORS.sideBar)) await wb.runCommand('View: Close Primary Side Bar');
      await wb.openFile('apply-review.yaml');
      await wb.runCommand('StackGres: Apply Manifest to Cluster');
      await wb.page.locator('.monaco-diff-editor').first().waitFor({ state: 'visible', timeout: 30_000 });
      // Left open for the screenshot: the modal confirmation over the diff (the runner's Escape cancels it).
      await wb.page.locator('.monaco-dialog-box', { hasText: 'Apply 1 object to context' }).waitFor({ state: 'visible', timeout: 15_000 });
    },
    readme: { image: 'apply-review.png', parts: ['.part.editor', '.monaco-dialog-box'] },
  },
  {
    name: 'apply-rejected',
    cluster: true,
    title: 'a manifest the cluster rejects in the dry run gets the reason on its line (Problems: stackgres-apply)',
    async run(wb) {
      writeFileSync(join(wb.workspaceDir, 'apply-rejected.yaml'), APPLY_REJECTED);
      await wb.runCommand('View: Close All Editors');
      await wb.openFile('apply-rejected.yaml');
      await wb.runCommand('StackGres: Apply Manifest to Cluster');
      // Our own checks flag the missing type too: the command asks before sending it anyway.
      const anyway = wb.page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Apply Anyway' });
      if (await anyway.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) await anyway.click();
      await wb.problems((text) => /^stackgres-apply$/m.test(text) && text.includes('neither s3, gcs or azureBlob must be set'));
    },
  },
  {
    name: 'status-bar',
    cluster: true,
    title: "the status bar names the workspace's context and namespace, and a click offers to choose them",
    async run(wb) {
      await wb.runCommand('View: Close All Editors');
      const item = wb.page.locator(`${SELECTORS.statusBar} .statusbar-item`, { hasText: '· all namespaces' });
      await item.first().waitFor({ state: 'visible', timeout: 30_000 });
      const text = (await item.first().innerText()).trim();
      if (!/^\S+ · all namespaces$/.test(text)) throw new Error(`the status bar item says "${text}"`);
      await item.first().click();
      await wb.page.waitForSelector(`${SELECTORS.quickInputRows}[aria-label*="Choose Namespace"]`, { timeout: 10_000 });
      await wb.page.waitForSelector(`${SELECTORS.quickInputRows}[aria-label*="Choose Kubernetes Context"]`, { timeout: 10_000 });
    },
  },
  {
    name: 'menus-stackgres-only',
    title: 'Apply Manifest shows in the title and context menu of a StackGres manifest, not of another YAML file',
    async run(wb) {
      writeFileSync(join(wb.workspaceDir, 'plain-deployment.yaml'), PLAIN_YAML);
      await wb.runCommand('View: Close All Editors');
      const apply = wb.page.locator('.editor-actions .action-label[aria-label*="Apply Manifest to Cluster"]');
      // The editor's context menu as a right-click shows it, until it does (or does not) offer Apply: the
      // active editor's key reaches the workbench a moment after the editor opens.
      const contextMenuOffersApply = async (expected: boolean): Promise<void> => {
        const deadline = Date.now() + 15_000;
        for (;;) {
          await wb.page.locator('.monaco-editor .view-lines').first().click({ button: 'right' });
          const menu = wb.page.locator('.context-view .monaco-menu');
          await menu.first().waitFor({ state: 'visible', timeout: 10_000 });
          await menu.locator('.action-label').first().waitFor({ state: 'visible', timeout: 10_000 });
          const has = (await menu.locator('.action-label', { hasText: 'Apply Manifest to Cluster' }).count()) > 0;
          await wb.page.keyboard.press('Escape');
          if (has === expected) return;
          if (Date.now() > deadline) throw new Error(`the editor's context menu ${expected ? 'lacks' : 'offers'} Apply Manifest to Cluster`);
        }
      };
      await wb.openFile('storage.yaml');
      await apply.first().waitFor({ state: 'visible', timeout: 15_000 });
      await contextMenuOffersApply(true);
      await wb.openFile('plain-deployment.yaml');
      await apply.first().waitFor({ state: 'detached', timeout: 15_000 });
      await contextMenuOffersApply(false);
      // Typing a StackGres apiVersion makes it one.
      await wb.page.locator('.monaco-editor .view-lines').first().click();
      await wb.page.keyboard.press('Control+End');
      await wb.page.keyboard.type('\n---\napiVersion: stackgres.io/v1\nkind: SGCluster\n');
      await apply.first().waitFor({ state: 'visible', timeout: 15_000 });
      await wb.runCommand('File: Revert File');
    },
  },
  {
    name: 'walkthrough',
    cluster: true,
    title: 'the Getting Started walkthrough: "Connect a cluster" is done once connected, "Write an SGObjectStorage" once one was open, "IAM policy" once one was generated',
    async run(wb) {
      await wb.runCommand('View: Close All Editors');
      const step = (id: string) => wb.page.locator(`button.getting-started-step[data-step-id$="${id}"]`);
      await wb.runCommand('StackGres: Get Started with StackGres Backups');
      await step('connect').and(wb.page.locator('[aria-checked="true"]')).waitFor({ timeout: 30_000 });
      if ((await step('iamPolicy').getAttribute('aria-checked')) === 'true') throw new Error('the IAM policy step is done before any policy was generated');
      await wb.openFile('storage.yaml');
      await wb.runCommand('StackGres: Generate IAM Policy for Object Storage');
      await wb.page.waitForSelector(`${SELECTORS.activeTab}[aria-label*="Untitled"]`, { timeout: 15_000 });
      await wb.runCommand('StackGres: Get Started with StackGres Backups');
      await step('iamPolicy').and(wb.page.locator('[aria-checked="true"]')).waitFor({ timeout: 15_000 });
      await step('storage').and(wb.page.locator('[aria-checked="true"]')).waitFor({ timeout: 15_000 });
    },
  },
  {
    name: 'restore-back',
    cluster: true,
    title: 'Restore Backup asks step by step (1/3 … 3/3); Back returns to the name with the typed value, Escape writes nothing',
    async run(wb) {
      await wb.runCommand('View: Close All Editors');
      const title = wb.page.locator(`${SELECTORS.quickInput} .quick-input-title`);
      const choose = async (label: string) => {
        await wb.page.fill(SELECTORS.quickInputBox, label);
        await wb.page.waitForSelector(`${SELECTORS.quickInputRows}.focused[aria-label*="${label}"]`, { timeout: 15_000 });
        await wb.page.keyboard.press('Enter');
      };
      const waitTitle = async (re: RegExp) => {
        await title.filter({ hasText: re }).waitFor({ timeout: 15_000 }).catch(async () => {
          throw new Error(`the prompt's title is "${(await title.innerText().catch(() => '')).trim()}", not ${re}`);
        });
      };
      await wb.runCommand('StackGres: Restore Backup…');
      await wb.page.waitForSelector(`${SELECTORS.quickInputRows}[aria-label*="demo-db"]`, { timeout: 30_000 });
      await choose('demo-db');
      await waitTitle(/which backup of demo-db/);
      await wb.page.keyboard.press('Enter');
      await waitTitle(/namespace of the new cluster \(1\/3\)/);
      await wb.page.keyboard.press('Enter');
      await waitTitle(/name of the NEW SGCluster .*\(2\/3\)/);
      await wb.page.fill(SELECTORS.quickInputBox, 'ui-back-check');
      await wb.page.keyboard.press('Enter');
      await waitTitle(/up to when\? \(3\/3\)/);
      await wb.page.locator(`${SELECTORS.quickInput} .codicon-quick-input-back`).first().click();
      await waitTitle(/name of the NEW SGCluster .*\(2\/3\)/);
      const kept = await wb.page.inputValue(SELECTORS.quickInputBox);
      if (kept !== 'ui-back-check') throw new Error(`after Back the name step offers "${kept}"`);
      await wb.page.keyboard.press('Escape');
      await wb.page.waitForSelector(SELECTORS.quickInput, { state: 'hidden', timeout: 10_000 });
      if (existsSync(join(wb.workspaceDir, 'restore', 'ui-back-check.yaml'))) throw new Error('Escape wrote a restore manifest');
    },
  },
  {
    // Last: the drill goes on after the screenshot and ends with its own question about the drill cluster.
    name: 'restore-drill',
    cluster: true,
    title: 'Test Restore reviews the drill cluster, creates it on confirmation and shows the drill in progress (phase, elapsed)',
    async run(wb) {
      await wb.runCommand('View: Close All Editors');
      const choose = async (label: string) => {
        await wb.page.waitForSelector(`${SELECTORS.quickInputRows}[aria-label*="${label}"]`, { timeout: 30_000 });
        await wb.page.fill(SELECTORS.quickInputBox, label);
        await wb.page.waitForSelector(`${SELECTORS.quickInputRows}.focused[aria-label*="${label}"]`, { timeout: 15_000 });
        await wb.page.keyboard.press('Enter');
      };
      const title = wb.page.locator(`${SELECTORS.quickInput} .quick-input-title`);
      await wb.runCommand('StackGres: Test Restore (Restore Drill)…');
      await choose('demo-db');
      await title.filter({ hasText: /which backup of demo-db/ }).waitFor({ timeout: 15_000 });
      await wb.page.keyboard.press('Enter');
      await title.filter({ hasText: /namespace of the drill cluster/ }).waitFor({ timeout: 15_000 });
      await wb.page.keyboard.press('Enter');
      await wb.page.locator('.monaco-diff-editor').first().waitFor({ state: 'visible', timeout: 30_000 });
      const dialog = wb.page.locator('.monaco-dialog-box', { hasText: 'Create restore drill cluster' });
      await dialog.waitFor({ state: 'visible', timeout: 15_000 });
      await dialog.locator('a.monaco-button, button', { hasText: 'Create and Follow' }).first().click();
      // The progress notification: the phase and the elapsed time, while the simulated operator restores.
      // Any phase: the sandbox's restore takes a few seconds, and a loaded machine may first show the pod pending.
      const inProgress = /(waiting for the operator|pod pending|restoring the backup).* · \d+s/;
      const toast = wb.page.locator('.notification-toast', { hasText: inProgress }).first();
      const shown = await toast.waitFor({ state: 'visible', timeout: 6_000 }).then(() => true, () => false);
      if (!shown) {
        // VS Code 1.139 at times keeps the toast back while the review's dialog closes: the notification centre lists it.
        await wb.runCommand('Notifications: Show Notifications');
        await wb.page.locator('.notifications-center .notification-list-item', { hasText: inProgress }).first().waitFor({ state: 'visible', timeout: 10_000 });
      }
    },
    // The manifest side of the review and the progress: small enough for the README.
    readme: { image: 'restore-drill.png', parts: ['.monaco-diff-editor .editor.modified', '.notifications-toasts'] },
  },
];

/** Not a StackGres manifest: the editor's StackGres actions stay away from it. */
const PLAIN_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
`;

/** A new object storage (created by the apply), so the diff shows an empty left side and the object on the right. */
const APPLY_REVIEW = `apiVersion: stackgres.io/v1beta1
kind: SGObjectStorage
metadata:
  name: ui-review-storage
  namespace: demo
spec:
  type: s3Compatible
  s3Compatible:
    bucket: ui-review
    endpoint: https://s3.example.test
    region: eu-1
    enablePathStyleAddressing: true
    awsCredentials:
      secretKeySelectors:
        accessKeyId: {name: ui-review-creds, key: accessKeyId}
        secretAccessKey: {name: ui-review-creds, key: secretAccessKey}
`;

/** No type with an s3 section: the operator defaults it to s3Compatible, then its webhook rejects the s3 section. */
const APPLY_REJECTED = `apiVersion: stackgres.io/v1beta1
kind: SGObjectStorage
metadata:
  name: ui-rejected-storage
  namespace: demo
spec:
  s3:
    bucket: ui-rejected
    region: eu-west-1
    awsCredentials:
      secretKeySelectors:
        accessKeyId: {name: ui-rejected-creds, key: accessKeyId}
        secretAccessKey: {name: ui-rejected-creds, key: secretAccessKey}
`;

/** `readmeDir`: where the README pictures go (images/screenshots), for the checks that have one. */
export async function runUiChecks(workbench: Workbench, resultsDir: string, withCluster = true, readmeDir?: string): Promise<UiCheckResult[]> {
  const results: UiCheckResult[] = [];
  const left = UI_CHECKS.filter((c) => c.cluster && !withCluster).length;
  if (left) console.log(`UI checks: skipped ${left} that need the sandbox's Kubernetes API (none in this run)`);
  for (const check of UI_CHECKS.filter((c) => withCluster || !c.cluster)) {
    const started = Date.now();
    const screenshot = join(resultsDir, `ui-${check.name}.png`);
    let error: string | undefined;
    try {
      await check.run(workbench);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    await workbench.screenshot(screenshot).catch(() => undefined);
    if (readmeDir && check.readme && error === undefined) {
      try {
        const clip = await workbench.regionOf(check.readme.parts, check.readme.pad);
        await workbench.page.screenshot({ path: join(readmeDir, check.readme.image), clip });
      } catch (err) {
        error = `the README picture ${check.readme.image}: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    results.push({ title: check.title, passed: error === undefined, durationMs: Date.now() - started, screenshot, error });
    await workbench.dismissWidgets().catch(() => undefined);
  }
  return results;
}
