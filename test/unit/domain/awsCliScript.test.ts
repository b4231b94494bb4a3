/**
 * The generated AWS CLI script run under bash, with fake `aws` and `kubectl` on PATH that record their
 * arguments: values from a manifest or the cluster never run as commands, and each reaches the command
 * byte for byte or is refused.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { awsCliCommands, storageLocation, type CliOptions, type Resolved } from '@core/objectStore';

const FAKE_KEY_ID = 'AKIAFAKEFAKEFAKE0001';

// Each fake writes its arguments NUL-separated to one numbered file per call.
const FAKE_AWS = `#!/bin/bash
n=$(ls "$CALLS" | wc -l)
printf '%s\\0' aws "$@" > "$CALLS/$n"
if [[ " $* " == *" iam create-access-key "* ]]; then
  printf '{\\n    "AccessKey": {\\n        "UserName": "u",\\n        "AccessKeyId": "${FAKE_KEY_ID}",\\n        "Status": "Active",\\n        "SecretAccessKey": "not-a-real-secret"\\n    }\\n}\\n'
fi
`;
const FAKE_KUBECTL = `#!/bin/bash
n=$(ls "$CALLS" | wc -l)
printf '%s\\0' kubectl "$@" > "$CALLS/$n"
if [ -n "$SECRET_KEY_ID" ]; then printf '%s' "$SECRET_KEY_ID" | base64; else echo 'Error from server (NotFound): secrets not found' >&2; exit 1; fi
`;

interface Run {
  readonly calls: string[][];
  /** Files the script left in its folder, besides the ones it is meant to write. */
  readonly strayFiles: string[];
  readonly files: ReadonlySet<string>;
  readonly policy?: unknown;
  readonly stdout: string;
  readonly stderr: string;
}

const EXPECTED_FILES = new Set(['stackgres-backup-policy.json', 'credentials.json']);

function runScript(script: string, env: Record<string, string> = {}): Run {
  const dir = mkdtempSync(path.join(tmpdir(), 'aws-cli-script-'));
  try {
    const bin = path.join(dir, '.bin');
    const calls = path.join(dir, '.calls');
    const work = path.join(dir, 'work');
    for (const d of [bin, calls, work]) mkdirSync(d);
    writeFileSync(path.join(bin, 'aws'), FAKE_AWS);
    writeFileSync(path.join(bin, 'kubectl'), FAKE_KUBECTL);
    chmodSync(path.join(bin, 'aws'), 0o755);
    chmodSync(path.join(bin, 'kubectl'), 0o755);
    writeFileSync(path.join(dir, 'script.sh'), script);
    const r = spawnSync('bash', [path.join(dir, 'script.sh')], {
      cwd: work,
      env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, CALLS: calls, HOME: dir, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(r.error, undefined, String(r.error));
    const recorded = readdirSync(calls).sort((a, b) => Number(a) - Number(b))
      .map((f) => readFileSync(path.join(calls, f), 'utf8').split('\0').slice(0, -1));
    const files = new Set(readdirSync(work));
    const policyFile = path.join(work, 'stackgres-backup-policy.json');
    return {
      calls: recorded,
      strayFiles: [...files].filter((f) => !EXPECTED_FILES.has(f)),
      files,
      policy: existsSync(policyFile) ? JSON.parse(readFileSync(policyFile, 'utf8')) : undefined,
      stdout: r.stdout,
      stderr: r.stderr,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const creds = (name = 's3-backup-secret', key = 'accessKeyId') => ({
  secretKeySelectors: { accessKeyId: { name, key }, secretAccessKey: { name, key: 'secretAccessKey' } },
});

function script(spec: unknown, options: CliOptions = {}): Resolved<string> {
  const location = storageLocation(spec, 'sgbackups.stackgres.io/demo/pg');
  if (!location.ok) return location;
  return awsCliCommands(location.value, options);
}

/** The value of `flag` in every recorded call of `command` that has it. */
function flagValues(run: Run, flag: string): string[] {
  return run.calls.flatMap((c) => c.flatMap((a, i) => (a === flag ? [c[i + 1]] : [])));
}

const PAYLOADS = [
  'ok\ntouch PWNED-newline #',
  'ok`touch PWNED-backtick`',
  'ok$(touch PWNED-dollar)',
  'ok;touch PWNED-semicolon',
  'ok|touch PWNED-pipe',
  'ok&&touch PWNED-and',
  "ok'$(touch PWNED-single)'",
  'ok"$(touch PWNED-double)"',
  'ok\r\ntouch PWNED-crlf',
  'ok\u2028touch PWNED-ls',
  "ok\\'; touch PWNED-backslash; '",
  // Without spaces, so that URLs and names that allow the rest are tried too.
  'ok$(touch${IFS}PWNED-ifs)',
  'ok`touch${IFS}PWNED-ifs-backtick`',
  'ok;touch${IFS}PWNED-ifs-semicolon',
];

interface Field {
  readonly name: string;
  readonly build: (payload: string) => { spec: unknown; options?: CliOptions };
  /** The value the payload must reach a command as, when the script is not refused. */
  readonly reaches?: (run: Run, payload: string) => void;
  /** What a refusal must say. */
  readonly refusal: RegExp;
}

const s3 = (bucket: string, extra: Record<string, unknown> = {}) => ({ type: 's3', s3: { bucket, region: 'eu-west-1', awsCredentials: creds(), ...extra } });
const compatible = (endpoint: string) => ({ type: 's3Compatible', s3Compatible: { bucket: 'my-bucket', endpoint, region: 'k8s', awsCredentials: creds() } });
const storage = { name: 'backups', namespace: 'demo' };

const FIELDS: Field[] = [
  {
    name: 'bucket',
    build: (p) => ({ spec: s3(p), options: { storage } }),
    reaches: (run, p) => assert.ok(run.calls.some((c) => c.includes(`s3://${p}`))),
    refusal: /is not a valid S3 bucket name.*3 to 63 characters/s,
  },
  {
    name: 'sub-path',
    build: (p) => ({ spec: s3(`my-bucket/${p}`), options: { storage } }),
    reaches: (run, p) => assert.ok(JSON.stringify(run.policy).includes(JSON.stringify(`arn:aws:s3:::my-bucket/${p}/*`).slice(1, -1))),
    refusal: /sub-path/,
  },
  {
    name: 'region',
    build: (p) => ({ spec: s3('my-bucket', { region: p }), options: { storage } }),
    reaches: (run, p) => assert.deepEqual([...new Set(flagValues(run, '--region'))], [p]),
    refusal: /is not a region/,
  },
  {
    name: 'endpoint path',
    build: (p) => ({ spec: compatible(`https://objects.example.com/${p}`), options: { storage } }),
    reaches: (run, p) => assert.deepEqual(flagValues(run, '--endpoint-url'), [`https://objects.example.com/${p}`]),
    refusal: /endpoint .* is not a URL/s,
  },
  {
    name: 'endpoint host',
    build: (p) => ({ spec: compatible(`https://${p}.example.com`), options: { storage } }),
    reaches: (run, p) => assert.deepEqual(flagValues(run, '--endpoint-url'), [`https://${p}.example.com`]),
    refusal: /endpoint .* is not a URL/s,
  },
  {
    name: 'user name',
    build: (p) => ({ spec: s3('my-bucket'), options: { storage, userName: p } }),
    reaches: (run, p) => assert.deepEqual([...new Set(flagValues(run, '--user-name'))], [p]),
    refusal: /IAM user name/,
  },
  {
    name: 'storage name',
    build: (p) => ({ spec: s3('my-bucket'), options: { storage: { name: p, namespace: 'demo' } } }),
    refusal: /never refused/,
  },
  {
    name: 'namespace',
    build: (p) => ({ spec: s3('my-bucket'), options: { storage: { name: 'backups', namespace: p } } }),
    reaches: (run, p) => assert.deepEqual(flagValues(run, '--namespace'), [p]),
    refusal: /namespace/,
  },
  {
    name: 'Secret name',
    build: (p) => ({ spec: s3('my-bucket', { awsCredentials: creds(p) }), options: { storage } }),
    reaches: (run, p) => assert.ok(run.calls.some((c) => c[0] === 'kubectl' && c.includes(p))),
    refusal: /Secret name/,
  },
  {
    name: 'Secret key',
    build: (p) => ({ spec: s3('my-bucket', { awsCredentials: creds('s3-backup-secret', p) }), options: { storage } }),
    refusal: /Secret key/,
  },
];

describe('The generated AWS CLI script under bash', () => {
  it('control: the harness sees a command that ran and what each fake was given', () => {
    const run = runScript('touch PWNED\naws s3 mb "s3://a b"\n');
    assert.deepEqual(run.strayFiles, ['PWNED']);
    assert.deepEqual(run.calls, [['aws', 's3', 'mb', 's3://a b']]);
  });

  it('the tutorial storage: each step reaches aws with its arguments, in order', () => {
    const r = script(s3('my-bucket/team/pg'), { storage });
    if (!r.ok) return assert.fail(r.error);
    const run = runScript(r.value);
    assert.deepEqual(run.strayFiles, []);
    assert.deepEqual(run.calls.filter((c) => c[0] === 'aws').map((c) => c.join(' ')), [
      'aws iam create-user --region eu-west-1 --user-name stackgres-backup-my-bucket',
      'aws iam put-user-policy --region eu-west-1 --user-name stackgres-backup-my-bucket --policy-name stackgres-backup-my-bucket --policy-document file://stackgres-backup-policy.json',
      'aws --output json iam create-access-key --region eu-west-1 --user-name stackgres-backup-my-bucket',
      'aws s3 mb s3://my-bucket --region eu-west-1',
    ]);
    assert.equal(JSON.stringify(run.policy).includes('arn:aws:s3:::my-bucket/team/pg/*'), true);
  });

  describe('credentials.json, which holds the new secret access key', () => {
    const r = script(s3('my-bucket'), { storage });
    const text = r.ok ? r.value : assert.fail(r.error);

    it('is deleted once the Secret holds the same access key ID', () => {
      const run = runScript(text, { SECRET_KEY_ID: FAKE_KEY_ID });
      assert.equal(run.files.has('credentials.json'), false);
      assert.match(run.stdout, /Deleted credentials\.json: Secret s3-backup-secret holds the access key\./);
      assert.deepEqual(run.calls.filter((c) => c[0] === 'kubectl'), [['kubectl', 'get', 'secret', '--namespace', 'demo', 's3-backup-secret', '-o', 'jsonpath={.data.accessKeyId}']]);
    });

    it('is kept, with what to do, while the Secret does not exist or holds another key', () => {
      for (const env of [{}, { SECRET_KEY_ID: 'AKIAOLDKEYOLDKEY0000' }] as Record<string, string>[]) {
        const run = runScript(text, env);
        assert.equal(run.files.has('credentials.json'), true);
        assert.match(run.stdout, /Kept credentials\.json: Secret s3-backup-secret in namespace demo does not hold this access key yet\. Create it with "StackGres: Create Credentials Secret", then run this line again\./);
      }
    });

    it('a key name with dots is escaped in the JSONPath', () => {
      const dotted = script(s3('my-bucket', { awsCredentials: creds('s3-backup-secret', 'aws.key.id') }), { storage });
      const run = runScript(dotted.ok ? dotted.value : assert.fail(dotted.error), { SECRET_KEY_ID: FAKE_KEY_ID });
      assert.deepEqual(flagValues(run, '-o'), ['jsonpath={.data.aws\\.key\\.id}']);
    });
  });

  for (const field of FIELDS) {
    describe(field.name, () => {
      for (const payload of PAYLOADS) {
        it(`${JSON.stringify(payload)}: nothing runs; the value reaches the command as it is or is refused`, () => {
          const { spec, options } = field.build(payload);
          const r = script(spec, options);
          if (!r.ok) {
            assert.match(r.error, field.refusal);
            assert.doesNotMatch(r.error, /[\n\r\u2028]/, 'the refusal is one line');
            return;
          }
          const run = runScript(r.value);
          assert.deepEqual(run.strayFiles, [], `the script ran a command from the ${field.name}:\n${r.value}`);
          field.reaches?.(run, payload);
          for (const line of r.value.split('\n')) {
            if (line.startsWith('#')) assert.doesNotMatch(line, /[\r\u2028]/, 'a comment line holds no line break');
          }
        });
      }
    });
  }
});
