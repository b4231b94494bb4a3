/** The mocha-like report both drivers print, ending with the "N passed, N failed" line CI reads. */
import { relative } from 'node:path';
import { SuiteResults } from '../integration/runConfig';
import { REPO_ROOT } from './bundleSuite';
import type { LogCheck } from './extensionHostLog';
import type { ServerOnNodeResult } from './serverOnNode';
import { UiCheckResult } from './uiChecks';

export interface Outcome {
  run: string;
  /** The editor the run used, as installed (the suite reports what its extension host saw). */
  editor?: { name: string; codeServer: string; vscode: string; node: string; totalMs: number };
  /** The extension host logs checked for warnings and errors of our extension. */
  logCheck?: LogCheck;
  /** The language server with --stdio on several Node versions. */
  lsp?: ServerOnNodeResult[];
  suite?: SuiteResults;
  ui?: UiCheckResult[];
  /** Set when the run could not finish (the step that failed). */
  error?: string;
}

export function printSummary(outcomes: Outcome[]): { passed: number; failed: number } {
  let passed = 0;
  let failed = 0;
  const failures: string[] = [];
  const perRun: string[] = [];
  for (const o of outcomes) {
    const before = { passed, failed };
    if (o.error) {
      failed++;
      failures.push(`${o.run} run did not finish\n${o.error}`);
      console.log(`\n  ${o.run} run: ${failures.length}) did not finish`);
    }
    if (o.suite) {
      const s = o.suite;
      console.log(`\n  Integration suite, ${o.run} run (VS Code ${s.vscodeVersion}, Node ${s.nodeVersion} in the extension host, workspace ${s.workspaceTrusted ? 'trusted' : 'in Restricted Mode'}${s.grep ? `, grep ${s.grep}` : ''})`);
      let lastSuite = '';
      for (const test of s.tests) {
        const suite = test.titlePath.slice(0, -1).join(' › ');
        if (suite !== lastSuite) console.log(`    ${suite}`);
        lastSuite = suite;
        const title = test.titlePath[test.titlePath.length - 1];
        if (test.state === 'passed') {
          passed++;
          console.log(`      ✓ ${title} (${test.durationMs} ms)`);
        } else {
          failed++;
          failures.push(`${o.run}: ${test.fullTitle}\n${test.error?.stack ?? test.error?.message ?? 'failed'}`);
          console.log(`      ${failures.length}) ${title}`);
        }
      }
      console.log(`    ${s.passed} passing, ${s.failed} failing (${seconds(s.durationMs)})`);
      if (s.notRun) console.log(`    skipped the tests of ${s.notRun.files.length} files (${s.notRun.files.map((f) => f.replace('.test.js', '')).join(', ')}): ${s.notRun.reason}`);
    }
    if (o.ui) {
      console.log(`\n  UI checks, ${o.run} run`);
      for (const c of o.ui) {
        if (c.passed) {
          passed++;
          console.log(`      ✓ ${c.title} (${c.durationMs} ms) ${relative(REPO_ROOT, c.screenshot)}`);
        } else {
          failed++;
          failures.push(`${o.run} UI: ${c.title}\n${c.error ?? 'failed'}\nscreenshot: ${relative(REPO_ROOT, c.screenshot)}`);
          console.log(`      ${failures.length}) ${c.title} ${relative(REPO_ROOT, c.screenshot)}`);
        }
      }
    }
    if (o.lsp) {
      console.log('\n  Language server with --stdio (initialize, didOpen, diagnostics; no warning on stderr)');
      for (const r of o.lsp) {
        if (r.passed) {
          passed++;
          console.log(`      ✓ Node ${r.version} (${r.durationMs} ms)`);
        } else {
          failed++;
          failures.push(`language server on Node ${r.version} (${r.node})\n${r.error ?? 'failed'}`);
          console.log(`      ${failures.length}) Node ${r.version}`);
        }
      }
    }
    if (o.logCheck) {
      const c = o.logCheck;
      console.log(`\n  Extension host log, ${o.run} (${c.files.length} log files)`);
      if (c.files.length > 0 && c.findings.length === 0) {
        passed++;
        console.log(`      ✓ no warning or error from stackgres-tools.stackgres-backups`);
      } else {
        failed++;
        const what = c.files.length === 0 ? 'no extension host log was found' : c.findings.join('\n');
        failures.push(`${o.run}: warnings or errors of our extension in the extension host log\n${what}`);
        console.log(`      ${failures.length}) ${c.files.length === 0 ? 'no extension host log' : `${c.findings.length} warning or error line(s) from our extension`}`);
      }
    }
    const versions = o.suite ? `VS Code ${o.suite.vscodeVersion}, Node ${o.suite.nodeVersion}` : o.editor ? `VS Code ${o.editor.vscode}, Node ${o.editor.node}` : '';
    perRun.push(`${o.run}${versions ? ` (${versions})` : ''}: ${passed - before.passed} passed, ${failed - before.failed} failed`);
  }
  const editors = new Map(outcomes.filter((o) => o.editor).map((o) => [o.editor!.name, o.editor!]));
  console.log('\n  Runs');
  for (const line of perRun) console.log(`    ${line}`);
  for (const e of editors.values()) console.log(`    ${e.name} editor (code-server ${e.codeServer}): ${seconds(e.totalMs)}`);
  failures.forEach((f, i) => {
    const [title, ...rest] = f.split('\n');
    console.log(`\n  ${i + 1}) ${title}\n${rest.map((l) => `     ${l}`).join('\n')}`);
  });
  return { passed, failed };
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
