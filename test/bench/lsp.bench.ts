/**
 * Language-server benchmark: a generated 1,000-document StackGres file (~40k lines) measured three ways,
 * each run in a fresh process — the `yaml` parser alone (the floor), plain yaml-language-server with the
 * same schemas, and our server — for full validation, revalidation after a one-line edit, completion and
 * hover latency, and memory. Prints a side-by-side table with the targets and writes
 * test-results/bench-lsp.json. `--cpu-prof` adds one profiled run of our server and prints where its time
 * goes in each phase.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { Benchmark, latencies, Latencies, mib, ms, processCpuMs, processMemory, REPO, RESULTS_DIR, spread, Summary, summarize, table, writeResults } from './bench';
import { Phase, ProfileReader } from './cpuProfile';
import { GeneratedFile, generateStackGresFile, Mistake, Site } from './lsp/manifests';
import { buildServerForProfiling } from './lsp/profileBuild';
import { BenchClient, nodeFlagsOption, ourServer, plainYamlServer, ServerSetup } from './lsp/servers';

const DOCUMENTS = 1000;
const SEED = 42;
const DEFAULT_RUNS = 5;
const COMPLETIONS = 200;
const HOVERS = 200;
const FILE_NAME = 'stackgres-bench.yaml';
/** `--runs=N` overrides the default. */
let RUNS = DEFAULT_RUNS;

/** Issue 14's targets, each against its anchor in the same run. */
const TARGETS = {
  fullVsPlain: 0.75,
  fullVsParse: 1.3,
  revalidationMs: 10,
  completionP95Ms: 5,
  /** Our hover p95 over plain yaml-language-server's. */
  hoverP95VsPlain: 1.0,
  peakRssMiB: 150,
};

interface RunResult {
  /** didOpen → publishDiagnostics, wall clock. */
  readonly fullMs: number;
  /** didChange → publishDiagnostics for the new version, wall clock. */
  readonly revalidationMs: number;
  /** CPU time the server used for the same (all threads). */
  readonly fullCpuMs: number;
  readonly revalidationCpuMs: number;
  readonly completionMs: number[];
  readonly hoverMs: number[];
  /** Server CPU time per request (all threads). */
  readonly completionCpuMs: number[];
  readonly hoverCpuMs: number[];
  /** What each request was on (parallel to the latencies): field name, enum value, value, cronSchedule. */
  readonly completionOn: string[];
  readonly hoverOn: string[];
  readonly completionNonEmpty: number;
  readonly hoverFound: number;
  readonly rssAfterValidation: number;
  readonly peakRss: number;
  readonly diagnostics: Diagnostic[];
  readonly diagnosticsAfterEdit: number;
}

interface ServerResult {
  readonly name: string;
  readonly debounceMs: number;
  readonly runs: RunResult[];
}

const bench: Benchmark = {
  name: 'lsp',
  description: 'StackGres language server vs plain yaml-language-server on a 1,000-document file',
  async run(options) {
    const t0 = performance.now();
    const runsFlag = options.flags.find((f) => f.startsWith('--runs='));
    RUNS = runsFlag ? Math.max(1, Number(runsFlag.slice('--runs='.length)) || DEFAULT_RUNS) : DEFAULT_RUNS;
    const file = generateStackGresFile(DOCUMENTS, SEED);
    const dir = mkdtempSync(path.join(tmpdir(), 'sg-lsp-bench-'));
    try {
      const filePath = path.join(dir, FILE_NAME);
      writeFileSync(filePath, file.text);
      const uri = pathToFileURL(filePath).toString();
      console.log(`LSP benchmark: ${file.documents.toLocaleString('en-US')} documents, ${file.lines.toLocaleString('en-US')} lines, ${(file.text.length / 1024 / 1024).toFixed(1)} MB `
        + `(${Object.entries(file.byKind).map(([k, n]) => `${n} ${k}`).join(', ')}; seed ${SEED}); ${RUNS} runs each, a fresh process per run.`);

      const completionSites = chooseCompletionSites(file, COMPLETIONS);
      const hoverSites = chooseHoverSites(file, HOVERS);

      const parse = [];
      for (let r = 0; r < RUNS; r++) {
        const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'lsp/yamlParse.ts'), filePath], { cwd: REPO, encoding: 'utf8' });
        parse.push(JSON.parse(out.trim().split('\n').pop()!) as { ms: number; documents: number; errors: number; rss: number; peakRss: number });
      }
      if (parse[0].documents !== file.documents) throw new Error(`yaml parsed ${parse[0].documents} documents, expected ${file.documents}`);

      const setups = [plainYamlServer(dir, FILE_NAME), ourServer(undefined, undefined, nodeFlagsOption(options.flags))];
      const results: ServerResult[] = setups.map((s) => ({ name: s.name, debounceMs: s.validationDebounceMs, runs: [] }));
      // Runs alternate between the servers so that machine noise falls on both alike.
      for (let r = 0; r < RUNS; r++) {
        for (let s = 0; s < setups.length; s++) {
          const slice = <T>(xs: readonly T[]) => xs.filter((_, i) => i % RUNS === r);
          results[s].runs.push(await measureRun(setups[s], uri, file, slice(completionSites), slice(hoverSites)));
          process.stdout.write('.');
        }
      }
      process.stdout.write('\n');

      const [plain, ours] = results;
      const report = buildReport(file, parse, plain, ours);
      console.log(report.text);
      const json = writeResults('bench-lsp.json', report.json);
      console.log(`\nResults: ${path.relative(REPO, json)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);

      if (options.flags.includes('--cpu-prof')) await profileOurServer(uri, file, completionSites, hoverSites);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default bench;

async function measureRun(setup: ServerSetup, uri: string, file: GeneratedFile, completionSites: readonly Site[], hoverSites: readonly Site[], nodeFlags: readonly string[] = [], phases?: Phase[]): Promise<RunResult> {
  const client = await BenchClient.start(setup, nodeFlags);
  const mark = (name: string) => phases?.push({ name, startUs: Number(process.hrtime.bigint() / 1000n), endUs: 0 });
  const done = () => {
    if (phases?.length) phases[phases.length - 1] = { ...phases[phases.length - 1], endUs: Number(process.hrtime.bigint() / 1000n) };
  };
  try {
    mark('full validation');
    const cpu0 = processCpuMs(client.pid);
    const full = await client.open(uri, file.text, 1);
    const cpu1 = processCpuMs(client.pid);
    done();
    const afterValidation = processMemory(client.pid);

    const line = file.text.split('\n')[file.editLine];
    const m = /^(\s+retention: )(\d+)$/.exec(line)!;
    const range = { start: { line: file.editLine, character: m[1].length }, end: { line: file.editLine, character: line.length } };
    mark('revalidation');
    const cpu2 = processCpuMs(client.pid);
    const edited = await client.change(uri, 2, range, String(Number(m[2]) + 1));
    const cpu3 = processCpuMs(client.pid);
    done();

    const completionMs: number[] = [];
    let completionNonEmpty = 0;
    mark('completion');
    const completionCpuMs: number[] = [];
    for (const site of completionSites) {
      const c0 = processCpuMs(client.pid);
      const r = await client.completion(uri, { line: site.line, character: site.character });
      completionCpuMs.push(processCpuMs(client.pid) - c0);
      completionMs.push(r.ms);
      if (r.items > 0) completionNonEmpty++;
    }
    done();
    const hoverMs: number[] = [];
    let hoverFound = 0;
    mark('hover');
    const hoverCpuMs: number[] = [];
    for (const site of hoverSites) {
      const c0 = processCpuMs(client.pid);
      const r = await client.hover(uri, { line: site.line, character: site.character });
      hoverCpuMs.push(processCpuMs(client.pid) - c0);
      hoverMs.push(r.ms);
      if (r.found) hoverFound++;
    }
    done();
    const end = processMemory(client.pid);
    return {
      fullMs: full.ms,
      revalidationMs: edited.ms,
      fullCpuMs: cpu1 - cpu0,
      revalidationCpuMs: cpu3 - cpu2,
      completionMs,
      hoverMs,
      completionCpuMs,
      hoverCpuMs,
      completionOn: completionSites.map(siteKind),
      hoverOn: hoverSites.map(siteKind),
      completionNonEmpty,
      hoverFound,
      rssAfterValidation: afterValidation.rss,
      peakRss: end.peakRss,
      diagnostics: full.diagnostics,
      diagnosticsAfterEdit: edited.diagnostics.length,
    };
  } finally {
    await client.stop();
  }
}

function siteKind(site: Site): string {
  if (site.key === 'cronSchedule') return 'cronSchedule';
  return site.on === 'key' ? 'field name' : site.enumField ? 'enum value' : 'value';
}

/** Half on field names, half at the end of enum values (type, compression, storageClass, ...). */
function chooseCompletionSites(file: GeneratedFile, count: number): Site[] {
  const keys = file.sites.filter((s) => s.on === 'key');
  const enums = file.sites.filter((s) => s.on === 'value' && s.enumField);
  return interleave(spreadOver(keys, count / 2), spreadOver(enums, count / 2));
}

/** 40% field names, 40% values, 20% on `cronSchedule` (its name or its value). */
function chooseHoverSites(file: GeneratedFile, count: number): Site[] {
  const keys = file.sites.filter((s) => s.on === 'key' && s.key !== 'cronSchedule');
  const values = file.sites.filter((s) => s.on === 'value' && s.key !== 'cronSchedule');
  const cron = file.sites.filter((s) => s.key === 'cronSchedule');
  const n = Math.round(count * 0.4);
  return interleave(spreadOver(keys, n), spreadOver(values, n), spreadOver(cron, count - 2 * n));
}

/** `count` items evenly spaced over the list, with a fixed pseudo-random offset inside each stride. */
function spreadOver<T>(xs: readonly T[], count: number): T[] {
  const stride = xs.length / count;
  return Array.from({ length: count }, (_, i) => xs[Math.min(xs.length - 1, Math.floor(i * stride + ((i * 7919) % 97) / 97 * stride))]);
}

function interleave<T>(...lists: T[][]): T[] {
  const out: T[] = [];
  for (let i = 0; out.length < lists.reduce((n, l) => n + l.length, 0); i++) for (const l of lists) if (i < l.length) out.push(l[i]);
  return out;
}

function reported(diagnostics: readonly Diagnostic[], mistake: Mistake): boolean {
  return diagnostics.some((d) => d.range.start.line <= mistake.line && mistake.line <= d.range.end.line);
}

interface ParseRun {
  readonly ms: number;
  readonly rss: number;
  readonly peakRss: number;
}

function buildReport(file: GeneratedFile, parse: readonly ParseRun[], plain: ServerResult, ours: ServerResult): { text: string; json: unknown } {
  const s = (r: ServerResult, f: (x: RunResult) => number): Summary => summarize(r.runs.map(f));
  const all = (r: ServerResult, f: (x: RunResult) => number[]): number[] => r.runs.flatMap(f);
  const parseMs = summarize(parse.map((p) => p.ms));
  // Plain yaml-language-server always waits 200 ms before validating; our server was told to wait 0.
  // The comparison uses the work after that wait.
  const work = (r: ServerResult, f: (x: RunResult) => number) => s(r, (x) => f(x) - r.debounceMs);
  const full = { plain: work(plain, (x) => x.fullMs), ours: work(ours, (x) => x.fullMs) };
  const reval = { plain: work(plain, (x) => x.revalidationMs), ours: work(ours, (x) => x.revalidationMs) };
  const completion = { plain: latencies(all(plain, (x) => x.completionMs)), ours: latencies(all(ours, (x) => x.completionMs)) };
  const hover = { plain: latencies(all(plain, (x) => x.hoverMs)), ours: latencies(all(ours, (x) => x.hoverMs)) };
  const perRunP95 = (r: ServerResult, f: (x: RunResult) => number[]) => summarize(r.runs.map((x) => latencies(f(x)).p95));
  const memory = {
    plain: { rss: s(plain, (x) => x.rssAfterValidation), peak: s(plain, (x) => x.peakRss) },
    ours: { rss: s(ours, (x) => x.rssAfterValidation), peak: s(ours, (x) => x.peakRss) },
    parse: { rss: summarize(parse.map((p) => p.rss)), peak: summarize(parse.map((p) => p.peakRss)) },
  };
  const diagnostics = { plain: plain.runs[0].diagnostics, ours: ours.runs[0].diagnostics };
  const mistakes = file.mistakes.map((m) => ({ ...m, plain: reported(diagnostics.plain, m), ours: reported(diagnostics.ours, m) }));
  const stable = (r: ServerResult) => r.runs.every((x) => x.diagnostics.length === r.runs[0].diagnostics.length);

  const ratio = (a: number, b: number) => a / b;
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  const checks = {
    fullVsPlain: ratio(full.ours.median, full.plain.median),
    fullVsParse: ratio(full.ours.median, parseMs.median),
    revalidationMs: reval.ours.median,
    completionP95Ms: completion.ours.p95,
    hoverP95VsPlain: ratio(hover.ours.p95, hover.plain.p95),
    peakRssMiB: memory.ours.peak.median / 1024 / 1024,
  };
  const met = Object.fromEntries(Object.entries(checks).map(([k, v]) => [k, v <= TARGETS[k as keyof typeof TARGETS]])) as Record<keyof typeof checks, boolean>;
  const lat = (l: Latencies, which: 'p50' | 'p95') => ms(l[which]);
  const cpuLat = (r: ServerResult, f: (x: RunResult) => number[]) => {
    const l = latencies(all(r, f));
    return `${ms(l.p50)} / ${ms(l.p95)}`;
  };
  /** p95 (and count) of the requests on each kind of position. */
  const byPosition = (r: ServerResult, what: 'completion' | 'hover'): Map<string, number[]> => {
    const groups = new Map<string, number[]>();
    for (const x of r.runs) {
      const on = what === 'completion' ? x.completionOn : x.hoverOn;
      const times = what === 'completion' ? x.completionMs : x.hoverMs;
      on.forEach((k, i) => groups.set(k, [...(groups.get(k) ?? []), times[i]]));
    }
    return groups;
  };
  const positions = ['field name', 'enum value', 'value', 'cronSchedule'];
  const cell = (r: ServerResult, what: 'completion' | 'hover', k: string) => {
    const v = byPosition(r, what).get(k);
    return v ? `${ms(latencies(v).p95)} (${v.length})` : '';
  };
  const positionRows = [['p95 ms (requests) on', 'completion plain', 'completion ours', 'hover plain', 'hover ours'],
    ...positions.map((k) => [k, cell(plain, 'completion', k), cell(ours, 'completion', k), cell(plain, 'hover', k), cell(ours, 'hover', k)])];
  const sevCount = (ds: readonly Diagnostic[]) => {
    const by = [0, 0, 0, 0];
    for (const d of ds) by[(d.severity ?? 1) - 1]++;
    return `${ds.length} (${by[0]} err, ${by[1]} warn, ${by[2] + by[3]} info)`;
  };
  const found = (xs: typeof mistakes, who: 'plain' | 'ours', schemaOnly: boolean) => {
    const pool = xs.filter((m) => !schemaOnly || m.schemaVisible);
    return `${pool.filter((m) => m[who]).length}/${pool.length}`;
  };
  const rows: string[][] = [
    ['', 'yaml parse (floor)', 'plain yaml-language-server', 'ours', 'ratio', 'target', 'result'],
    ['full validation, ms', spread(parseMs), `${spread(full.plain)} +${plain.debounceMs} wait`, spread(full.ours), `ours/plain ${checks.fullVsPlain.toFixed(2)}`, `≤ ${TARGETS.fullVsPlain}`, verdict(met.fullVsPlain)],
    ['', '', '', '', `ours/parse ${checks.fullVsParse.toFixed(2)}`, `≤ ${TARGETS.fullVsParse}`, verdict(met.fullVsParse)],
    ['  server CPU time, ms', '', spread(s(plain, (x) => x.fullCpuMs)), spread(s(ours, (x) => x.fullCpuMs)), `ours/plain ${ratio(s(ours, (x) => x.fullCpuMs).median, s(plain, (x) => x.fullCpuMs).median).toFixed(2)}`, '', ''],
    ['revalidation after 1-line edit, ms', '', `${spread(reval.plain)} +${plain.debounceMs} wait`, spread(reval.ours), `ours reval/full ${ratio(reval.ours.median, full.ours.median).toFixed(3)}`, `≤ ${TARGETS.revalidationMs} ms`, verdict(met.revalidationMs)],
    ['  server CPU time, ms', '', spread(s(plain, (x) => x.revalidationCpuMs)), spread(s(ours, (x) => x.revalidationCpuMs)), `ours reval/full ${ratio(s(ours, (x) => x.revalidationCpuMs).median, s(ours, (x) => x.fullCpuMs).median).toFixed(3)}`, '', ''],
    ['completion p50, ms', '', lat(completion.plain, 'p50'), lat(completion.ours, 'p50'), `ours/plain ${ratio(completion.ours.p50, completion.plain.p50).toFixed(2)}`, '', ''],
    ['completion p95, ms', '', `${lat(completion.plain, 'p95')} (runs ${spread(perRunP95(plain, (x) => x.completionMs))})`, `${lat(completion.ours, 'p95')} (runs ${spread(perRunP95(ours, (x) => x.completionMs))})`, `ours/plain ${ratio(completion.ours.p95, completion.plain.p95).toFixed(2)}`, `≤ ${TARGETS.completionP95Ms} ms`, verdict(met.completionP95Ms)],
    ['  server CPU time p50/p95, ms', '', cpuLat(plain, (x) => x.completionCpuMs), cpuLat(ours, (x) => x.completionCpuMs), '', '', ''],
    ['hover p50, ms', '', lat(hover.plain, 'p50'), lat(hover.ours, 'p50'), `ours/plain ${ratio(hover.ours.p50, hover.plain.p50).toFixed(2)}`, '', ''],
    ['hover p95, ms', '', `${lat(hover.plain, 'p95')} (runs ${spread(perRunP95(plain, (x) => x.hoverMs))})`, `${lat(hover.ours, 'p95')} (runs ${spread(perRunP95(ours, (x) => x.hoverMs))})`, `ours/plain ${checks.hoverP95VsPlain.toFixed(2)}`, `≤ ${TARGETS.hoverP95VsPlain}`, verdict(met.hoverP95VsPlain)],
    ['  server CPU time p50/p95, ms', '', cpuLat(plain, (x) => x.hoverCpuMs), cpuLat(ours, (x) => x.hoverCpuMs), '', '', ''],
    ['RSS after full validation', spread(memory.parse.rss, mib), spread(memory.plain.rss, mib), spread(memory.ours.rss, mib), `ours/plain ${ratio(memory.ours.rss.median, memory.plain.rss.median).toFixed(2)}`, '', ''],
    ['peak RSS (VmHWM)', spread(memory.parse.peak, mib), spread(memory.plain.peak, mib), spread(memory.ours.peak, mib), `ours/plain ${ratio(memory.ours.peak.median, memory.plain.peak.median).toFixed(2)}`, `≤ ${TARGETS.peakRssMiB} MiB`, verdict(met.peakRssMiB)],
    ['diagnostics published', '', `${sevCount(diagnostics.plain)}${stable(plain) ? '' : ' (varies by run)'}`, `${sevCount(diagnostics.ours)}${stable(ours) ? '' : ' (varies by run)'}`, '', '', ''],
    ['deliberate mistakes reported', '', `${found(mistakes, 'plain', true)} schema-visible`, `${found(mistakes, 'ours', false)} (${found(mistakes, 'ours', true)} schema-visible)`, '', '', ''],
    ['completions with items', '', `${plain.runs.reduce((n, x) => n + x.completionNonEmpty, 0)}/${completion.plain.count}`, `${ours.runs.reduce((n, x) => n + x.completionNonEmpty, 0)}/${completion.ours.count}`, '', '', ''],
    ['hovers with content', '', `${plain.runs.reduce((n, x) => n + x.hoverFound, 0)}/${hover.plain.count}`, `${ours.runs.reduce((n, x) => n + x.hoverFound, 0)}/${hover.ours.count}`, '', '', ''],
  ];
  const mistakeRows = [['line', 'kind', 'deliberate mistake', 'schema-visible', 'plain', 'ours'],
    ...mistakes.map((m) => [String(m.line + 1), m.kind, m.what, m.schemaVisible ? 'yes' : 'no', m.plain ? 'reported' : '—', m.ours ? 'reported' : '—'])];
  const sanity = mistakes.every((m) => m.ours) && mistakes.every((m) => !m.schemaVisible || m.plain);
  const text = [
    '',
    table(rows),
    '',
    `Times are medians over ${RUNS} runs (min–max); latencies pool ${COMPLETIONS} completions and ${HOVERS} hovers over the runs. `
      + `Plain yaml-language-server waits a fixed ${plain.debounceMs} ms before validating (not configurable); the ms shown and the ratios exclude that wait, our server was started with validationDelay 0. `
      + 'Server CPU time (all threads, from /proc) does not grow when other programs hold the CPU: compare it when the machine is busy.',
    '',
    table(positionRows),
    '',
    table(mistakeRows),
    sanity ? 'Sanity: both servers report every deliberate mistake they can see.' : 'SANITY CHECK FAILED: a deliberate mistake was not reported (see the table above).',
    '',
    `Targets: full validation vs plain ${verdict(met.fullVsPlain)}, vs parse ${verdict(met.fullVsParse)}, revalidation ${verdict(met.revalidationMs)}, completion p95 ${verdict(met.completionP95Ms)}, hover p95 ${verdict(met.hoverP95VsPlain)}, peak RSS ${verdict(met.peakRssMiB)}.`,
  ].join('\n');
  const json = {
    benchmark: 'lsp',
    date: new Date().toISOString(),
    node: process.version,
    file: { documents: file.documents, lines: file.lines, bytes: Buffer.byteLength(file.text), byKind: file.byKind, seed: SEED },
    runs: RUNS,
    notes: {
      plainSetup: 'yaml-language-server 1.25.0 (its own server over stdio), yaml.schemas maps the file to one combined schema: allOf of if {kind: const K} then {$ref: schemas/<kind>.schema.json}; disableAdditionalProperties true; schemaStore and kubernetesCRDStore off',
      plainDebounceMs: plain.debounceMs,
      timesExcludeDebounce: true,
    },
    yamlParse: { ms: parseMs, rss: memory.parse.rss, peakRss: memory.parse.peak },
    servers: Object.fromEntries([plain, ours].map((r) => [r === ours ? 'ours' : 'plain', {
      name: r.name,
      fullValidationMs: work(r, (x) => x.fullMs),
      fullValidationWallMs: s(r, (x) => x.fullMs),
      revalidationMs: work(r, (x) => x.revalidationMs),
      revalidationWallMs: s(r, (x) => x.revalidationMs),
      fullValidationCpuMs: s(r, (x) => x.fullCpuMs),
      revalidationCpuMs: s(r, (x) => x.revalidationCpuMs),
      completion: latencies(all(r, (x) => x.completionMs)),
      completionCpu: latencies(all(r, (x) => x.completionCpuMs)),
      hover: latencies(all(r, (x) => x.hoverMs)),
      hoverCpu: latencies(all(r, (x) => x.hoverCpuMs)),
      completionsWithItems: r.runs.reduce((n, x) => n + x.completionNonEmpty, 0),
      hoversWithContent: r.runs.reduce((n, x) => n + x.hoverFound, 0),
      rssAfterValidation: s(r, (x) => x.rssAfterValidation),
      peakRss: s(r, (x) => x.peakRss),
      diagnostics: r.runs[0].diagnostics.length,
      diagnosticsAfterEdit: r.runs[0].diagnosticsAfterEdit,
    }])),
    mistakes,
    targets: Object.fromEntries(Object.entries(TARGETS).map(([k, target]) => [k, { target, value: checks[k as keyof typeof checks], met: met[k as keyof typeof met] }])),
    sanity,
  };
  return { text, json };
}

/** One more run of our server (unminified) under --cpu-prof, then where its time goes in each phase. */
async function profileOurServer(uri: string, file: GeneratedFile, completionSites: readonly Site[], hoverSites: readonly Site[]): Promise<void> {
  const dir = path.join(RESULTS_DIR, 'bench-profiles');
  rmSync(dir, { recursive: true, force: true });
  const bundle = await buildServerForProfiling(path.join(dir, 'build'));
  const phases: Phase[] = [];
  const run = await measureRun(ourServer(bundle), uri, file, completionSites, hoverSites, ['--cpu-prof', `--cpu-prof-dir=${dir}`], phases);
  console.log(`\nCPU profile of our server, unminified (${path.relative(REPO, dir)}); this run: full validation ${ms(run.fullMs)} ms, `
    + `revalidation ${ms(run.revalidationMs)} ms, completion p95 ${ms(latencies(run.completionMs).p95)} ms, hover p95 ${ms(latencies(run.hoverMs).p95)} ms.`);
  writeFileSync(path.join(dir, 'phases.json'), `${JSON.stringify(phases, null, 2)}\n`);
  const reader = new ProfileReader(dir);
  const share = (h: { share: number }) => `${(h.share * 100).toFixed(1)}%`;
  for (const phase of phases) {
    const p = reader.phase(phase, 15);
    console.log(`\n## ${phase.name}: ${ms((phase.endUs - phase.startUs) / 1000)} ms wall, ${ms(p.sampledMs)} ms sampled in the server`);
    console.log(table([['self', 'ms', 'module'], ...p.selfByModule.map((h) => [share(h), ms(h.ms), h.name])]));
    console.log('');
    console.log(table([['self', 'ms', 'function  module'], ...p.selfByFunction.map((h) => [share(h), ms(h.ms), h.name])]));
    console.log('');
    console.log(table([['incl.', 'ms', 'function  module'], ...p.inclusiveByFunction.map((h) => [share(h), ms(h.ms), h.name])]));
  }
}
