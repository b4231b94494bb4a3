/**
 * What a user sees in the workbench on the fixture workspace, checked through the UI after the suite:
 * suggestions for an SGObjectStorage `type`, the hover of a backup schedule, the Problems panel, and the
 * StackGres view on the sandbox cluster, the recoverable-window picture of its cluster, and Apply Manifest's
 * diff and dry-run rejections.
 * Each check leaves a screenshot test-results/<editor>/ui-<name>.png.
 */
import { writeFileSync } from 'node:fs';
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
}

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
  },
  {
    name: 'recoverable-window',
    cluster: true,
    title: 'the recoverable window of demo-db shows its backups on a time axis and offers the restore of a clicked backup',
    async run(wb) {
      await wb.runCommand('View: Close All Editors');
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
  },
  {
    name: 'apply-review',
    cluster: true,
    title: 'Apply Manifest opens live vs after apply in the diff editor and asks before writing',
    async run(wb) {
      writeFileSync(join(wb.workspaceDir, 'apply-review.yaml'), APPLY_REVIEW);
      await wb.runCommand('View: Close All Editors');
      await wb.openFile('apply-review.yaml');
      await wb.runCommand('StackGres: Apply Manifest to Cluster');
      await wb.page.locator('.monaco-diff-editor').first().waitFor({ state: 'visible', timeout: 30_000 });
      // Left open for the screenshot: the modal confirmation over the diff (the runner's Escape cancels it).
      await wb.page.locator('.monaco-dialog-box', { hasText: 'Apply 1 object to context' }).waitFor({ state: 'visible', timeout: 15_000 });
    },
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
];

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

export async function runUiChecks(workbench: Workbench, resultsDir: string, withCluster = true): Promise<UiCheckResult[]> {
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
    results.push({ title: check.title, passed: error === undefined, durationMs: Date.now() - started, screenshot, error });
    await workbench.dismissWidgets().catch(() => undefined);
  }
  return results;
}
