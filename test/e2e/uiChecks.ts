/**
 * What a user sees in the workbench on the fixture workspace, checked through the UI after the suite:
 * suggestions for an SGObjectStorage `type`, the hover of a backup schedule, the Problems panel, and the
 * StackGres view on the sandbox cluster.
 * Each check leaves a screenshot test-results/ui-<name>.png.
 */
import { join } from 'node:path';
import { Workbench } from './workbench';

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
];

export async function runUiChecks(workbench: Workbench, resultsDir: string): Promise<UiCheckResult[]> {
  const results: UiCheckResult[] = [];
  for (const check of UI_CHECKS) {
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
