/**
 * Where the upstream StackGres material lives that some tests compare against: the 1.18 CRDs and the objects
 * the operator writes (`stackgres-1.18/`), and the manifests of the docs and examples (`corpus/`). It is never
 * copied into the repository. Looked up once, here:
 *
 * 1. `../shared` beside the clone (as in CI): `../shared/reference/stackgres-1.18` and `../shared/corpus`;
 * 2. else `STACKGRES_REFERENCE_DIR`: a folder with `stackgres-1.18` and `corpus` (or laid out as ../shared);
 * 3. else absent: the tests that need it are not registered, and one line at the end of the run says how
 *    many did not run and how to run them. No skipped tests: CI counts those as failures.
 *
 * When the material was found (or `STACKGRES_REQUIRE_REFERENCE=1`, which .ci/run sets), a missing file fails
 * the test that reads it instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..');
const SHARED = path.resolve(REPO, '..', 'shared');
const ENV_DIR = 'STACKGRES_REFERENCE_DIR';
const ENV_REQUIRE = 'STACKGRES_REQUIRE_REFERENCE';

export interface Reference {
  /** `stackgres-1.18`: `crds/` and `objects/`. */
  readonly stackgres: string;
  /** The docs and examples manifests: `stackgres-docs/`, `stackgres-examples/`. */
  readonly corpus: string;
}

/** Exported for its own test; everything else uses `reference`. */
export function locateReference(shared: string, env: NodeJS.ProcessEnv): Reference | undefined {
  const fromEnv = env[ENV_DIR];
  const root = fs.existsSync(shared) ? shared : fromEnv ? path.resolve(fromEnv) : undefined;
  if (!root) return undefined;
  const sharedLayout = fs.existsSync(path.join(root, 'reference', 'stackgres-1.18')) || root === shared;
  return {
    stackgres: sharedLayout ? path.join(root, 'reference', 'stackgres-1.18') : path.join(root, 'stackgres-1.18'),
    corpus: path.join(root, 'corpus'),
  };
}

export const reference = locateReference(SHARED, process.env);

/** Found, or demanded by CI: then absence is a failure, never a quiet skip. */
export const referenceRequired = reference !== undefined || process.env[ENV_REQUIRE] === '1';

export const REFERENCE_MISSING = `../shared/reference not found; set ${ENV_DIR}=<dir with stackgres-1.18 and corpus> to run them`;

/** The upstream CRDs, or undefined when absent (the test API server then refuses to start, saying why). */
export const REFERENCE_CRD_DIR = reference && path.join(reference.stackgres, 'crds');

/** A file under `stackgres-1.18/` (e.g. `objects/backup-list.json`). Read it inside a test or hook. */
export function stackgresFile(rel: string): string {
  return path.join(needReference().stackgres, rel);
}

export function corpusFile(rel: string): string {
  return path.join(needReference().corpus, rel);
}

/** The corpus manifests as `stackgres-docs/x.yaml` paths; none when absent (for counting, see below). */
export function corpusFiles(): string[] {
  if (!reference) return [];
  const corpus = reference.corpus;
  return ['stackgres-docs', 'stackgres-examples'].flatMap((dir) =>
    fs.readdirSync(path.join(corpus, dir)).filter((f) => f.endsWith('.yaml')).sort().map((f) => `${dir}/${f}`));
}

function needReference(): Reference {
  if (!reference) throw new Error(`The upstream StackGres reference is needed here: ${REFERENCE_MISSING}`);
  return reference;
}

// ---- registering tests that need it ---------------------------------------------------------------------

let notRegistered = 0;
let perFileGroups = 0;

/**
 * `describe`, for a suite that needs the reference. Without it (and not required) the suite is not registered:
 * its body runs against counting stand-ins for mocha's functions so the closing line can say how many tests
 * did not run. A body that makes one test per reference file (corpus, CRD) cannot be counted: `perFile`
 * says so in that line instead of guessing.
 */
export function describeWithReference(title: string, body: (this: Mocha.Suite) => void, options: { perFile?: boolean } = {}): void {
  if (reference) {
    describe(title, body);
    return;
  }
  if (referenceRequired) {
    describe(title, () => it('finds the upstream StackGres reference', missingReference));
    return;
  }
  notRegistered += countTests(body);
  if (options.perFile) perFileGroups++;
}

/** `it`, for one test that needs the reference in a suite that otherwise does not. */
export function itWithReference(title: string, test: (this: Mocha.Context) => void | Promise<void>): void {
  if (reference) it(title, test);
  else if (referenceRequired) it(title, missingReference);
  else notRegistered++;
}

function missingReference(): never {
  throw new Error(`${ENV_REQUIRE}=1 but ${REFERENCE_MISSING}`);
}

const MOCHA_GLOBALS = ['describe', 'context', 'it', 'specify', 'before', 'after', 'beforeEach', 'afterEach'] as const;

function countTests(body: (this: Mocha.Suite) => void): number {
  const g = globalThis as unknown as Record<(typeof MOCHA_GLOBALS)[number], unknown>;
  const saved = Object.fromEntries(MOCHA_GLOBALS.map((name) => [name, g[name]]));
  let count = 0;
  const suiteContext = { timeout: () => suiteContext, slow: () => suiteContext, retries: () => suiteContext } as unknown as Mocha.Suite;
  const nested = (_title: string, fn: (this: Mocha.Suite) => void) => fn.call(suiteContext);
  const test = () => void count++;
  const hook = () => undefined;
  Object.assign(g, { describe: nested, context: nested, it: test, specify: test, before: hook, after: hook, beforeEach: hook, afterEach: hook });
  try {
    body.call(suiteContext);
  } finally {
    Object.assign(g, saved);
  }
  return count;
}

// Registered when this module is first loaded, which is at the top of a test file, so it is a root hook:
// it runs once, after every file has been loaded and counted.
if (!referenceRequired && typeof after === 'function') {
  after(() => {
    if (notRegistered === 0 && perFileGroups === 0) return;
    const groups = perFileGroups === 1 ? 'the suite that makes one test per reference file' : `${perFileGroups} suites that make one test per reference file`;
    console.log(`skipped ${notRegistered} tests${perFileGroups ? ` and ${groups}` : ''}: ${REFERENCE_MISSING}`);
  });
}
