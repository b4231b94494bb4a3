import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { KINDS, type KindInfo } from '@core/kinds';
import { WEBHOOK_ENUMS } from '@core/enums';
import { generateAll } from '../../../scripts/schemas';
import { describeWithReference, itWithReference, stackgresFile } from '../../reference';
import { findDrift, loadCrdSchema, loadSchema, nodes, OBJECT_META_FIELDS, type Node } from './drift';


function info(kind: string): KindInfo {
  const found = KINDS.find((k) => k.kind === kind);
  if (!found) throw new Error(`unknown kind ${kind}`);
  return found;
}

function webhookEnumsOf(kind: string) {
  return WEBHOOK_ENUMS.filter((e) => e.kind === kind);
}

function driftOf(kind: string, crd: Node, schema: Node): string[] {
  return findDrift(crd, schema, webhookEnumsOf(kind)).map((d) => `${d.path} ${d.aspect}: ${d.detail}`);
}

function nodeAt(schema: Node, at: string): Node {
  const found = new Map(nodes(schema)).get(at);
  if (!found) throw new Error(`no node at ${at}`);
  return found;
}

/** Fields we promised to describe, as paths: `x.**` = x and everything under it, `x.*` = x's direct properties. */
const DESCRIBED: Record<string, string[]> = {
  SGObjectStorage: ['**'],
  SGBackup: ['metadata.name', 'spec.**', 'status.**'],
  SGCluster: [
    'metadata.name', 'spec.postgres.version', 'spec.instances', 'spec.configurations', 'spec.configurations.*',
    'spec.configurations.backups.**', 'spec.initialData.**', 'spec.replicateFrom.**', 'spec.replication.initialization.**',
    'spec.pods.scheduling.backup', 'status.backupPaths.**',
  ],
  SGDbOps: ['spec.op', 'spec.sgCluster', 'spec.majorVersionUpgrade.backupPath'],
  SGShardedCluster: [
    'spec.configurations.backups.**', 'spec.initialData.**', 'status.sgBackups.**',
    'spec.replication.initialization.**', 'spec.coordinator.replication.initialization.**',
    'spec.shards.replication.initialization.**', 'spec.shards.overrides[].replication.initialization.**',
    'spec.coordinator.pods.scheduling.backup', 'spec.shards.pods.scheduling.backup', 'spec.shards.overrides[].pods.scheduling.backup',
  ],
  SGShardedBackup: ['metadata.name', 'spec.**', 'status.**'],
};

function inScope(pattern: string, at: string): boolean {
  if (at === '') return false;
  if (pattern === '**') return true;
  if (pattern.endsWith('.**')) {
    const base = pattern.slice(0, -3);
    return at === base || at.startsWith(`${base}.`) || at.startsWith(`${base}[`) || at.startsWith(`${base}{`);
  }
  if (pattern.endsWith('.*')) {
    const base = pattern.slice(0, -2);
    return at.startsWith(`${base}.`) && /^[A-Za-z0-9_$-]+$/.test(at.slice(base.length + 1));
  }
  return at === pattern;
}

const words = (text: string): string[] => text.toLowerCase().match(/[a-z0-9_]+/g) ?? [];
const RUN = 12;

function runs(text: string): string[] {
  const w = words(text);
  const out: string[] = [];
  for (let i = 0; i + RUN <= w.length; i++) out.push(w.slice(i, i + RUN).join(' '));
  return out;
}

/** `path: "run"` for every run of RUN words that one of `ours` shares with the upstream texts. */
function sharedRuns(ours: [string, string][], upstream: Iterable<string>): string[] {
  const known = new Set<string>();
  for (const text of upstream) for (const r of runs(text)) known.add(r);
  return ours.flatMap(([at, text]) => runs(text).filter((r) => known.has(r)).map((r) => `${at}: "${r}"`));
}

describe('JSON schemas of the StackGres kinds', function () {
  this.timeout(60_000);

  describeWithReference('follow the StackGres 1.18 CRDs', () => {
    for (const kind of KINDS) {
      it(`${kind.kind}: same property paths, types, enums, required lists and limits as the CRD`, () => {
        assert.deepStrictEqual(driftOf(kind.kind, loadCrdSchema(kind), loadSchema(kind)), []);
      });
    }

    it('add only the Kubernetes metadata fields and a fixed kind', () => {
      for (const kind of KINDS) {
        const schema = loadSchema(kind);
        const meta = Object.keys(nodeAt(schema, 'metadata').properties as Node).sort();
        assert.deepStrictEqual(meta, [...OBJECT_META_FIELDS].sort(), kind.kind);
        assert.deepStrictEqual(nodeAt(schema, 'kind'), { type: 'string', const: kind.kind });
        assert.strictEqual(nodeAt(schema, 'apiVersion').type, 'string');
      }
    });

    it('carry every webhook-only enum, with exactly the domain values, where the CRD has none', () => {
      for (const e of WEBHOOK_ENUMS) {
        const node = nodeAt(loadSchema(info(e.kind)), e.path);
        assert.deepStrictEqual(node.enum, [...e.values], `${e.kind} ${e.path}`);
        assert.strictEqual(node['x-stackgres-enum-source'], 'webhook');
        assert.strictEqual(nodeAt(loadCrdSchema(info(e.kind)), e.path).enum, undefined, `${e.kind} ${e.path} has a CRD enum`);
      }
    });

    it('are exactly what the generator writes today (regenerating changes no byte)', () => {
      for (const file of generateAll({ crdDir: stackgresFile('crds') })) {
        assert.ok(file.text === fs.readFileSync(file.file, 'utf8'), `${path.basename(file.file)} is out of date: run npx tsx scripts/schemas.ts`);
        assert.deepStrictEqual(file.dropped, [], `${file.kind}: descriptions at paths the CRD no longer has`);
      }
    });
  });

  describe('are usable JSON Schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const validators = new Map(KINDS.map((k) => [k.kind, ajv.compile(loadSchema(k))]));

    it('are valid draft-07 schemas that compile', () => {
      for (const kind of KINDS) {
        const schema = loadSchema(kind);
        assert.strictEqual(schema.$schema, 'http://json-schema.org/draft-07/schema#');
        assert.strictEqual(ajv.validateSchema(schema), true, `${kind.kind}: ${ajv.errorsText(ajv.errors)}`);
      }
    });

    itWithReference('accept the StackGres sample objects and reject a wrong kind, a bad enum and a too-long name', () => {
      const objects: Node[] = [];
      for (const file of fs.readdirSync(stackgresFile('objects'))) {
        const text = fs.readFileSync(path.join(stackgresFile('objects'), file), 'utf8');
        const doc = (file.endsWith('.json') ? JSON.parse(text) : parse(text)) as Node;
        objects.push(...(Array.isArray(doc.items) ? (doc.items as Node[]) : [doc]));
      }
      const checked = objects.filter((o) => validators.has(String(o.kind)));
      assert.ok(checked.length >= 8, `only ${checked.length} sample objects found`);
      assert.deepStrictEqual(new Set(checked.map((o) => o.kind)), new Set(['SGObjectStorage', 'SGCluster', 'SGBackup']));
      for (const o of checked) {
        const validate = validators.get(String(o.kind))!;
        assert.ok(validate(o), `${o.kind} ${(o.metadata as Node)?.name}: ${ajv.errorsText(validate.errors)}`);
      }

      const validate = validators.get('SGObjectStorage')!;
      const good = { apiVersion: 'stackgres.io/v1beta1', kind: 'SGObjectStorage', metadata: { name: 's' }, spec: { type: 's3' } };
      assert.ok(validate(good));
      assert.ok(!validate({ ...good, kind: 'SGCluster' }));
      assert.ok(!validate({ ...good, spec: { type: 's3', s3: { bucket: 'b', awsCredentials: {}, storageClass: 'GLACIER' } } }));
      const cluster = validators.get('SGCluster')!;
      assert.ok(!cluster({ apiVersion: 'stackgres.io/v1', kind: 'SGCluster', metadata: { name: 'c'.repeat(45) }, spec: {} }));
    });
  });

  describeWithReference('descriptions are our own words', () => {
    it(`the copy check flags ${RUN} upstream words in a row, however they are reworded around`, () => {
      const upstream = String(nodeAt(loadCrdSchema(info('SGCluster')), 'spec.configurations.backups[].path').description);
      const borrowed = words(upstream).slice(3, 3 + RUN).join(' ');
      const ours: [string, string][] = [['x', `In our words first. ${borrowed.toUpperCase()}! Then ours again.`]];
      assert.deepStrictEqual(sharedRuns(ours, [upstream]), [`x: "${borrowed}"`]);
      const shorter = words(upstream).slice(3, 3 + RUN - 1).join(' ');
      assert.deepStrictEqual(sharedRuns([['x', shorter]], [upstream]), []);
    });

    for (const kind of KINDS) {
      const upstream = new Map<string, string>();
      const ours: [string, string][] = [];
      before(() => {
        for (const [at, n] of nodes(loadCrdSchema(kind))) {
          if (typeof n.description === 'string') upstream.set(at, n.description);
        }
        for (const [at, n] of nodes(loadSchema(kind))) if (typeof n.description === 'string') ours.push([at, n.description]);
      });

      it(`${kind.kind}: no description repeats the upstream one at its path`, () => {
        const same = ours.filter(([at, text]) => upstream.has(at) && words(upstream.get(at)!).join(' ') === words(text).join(' '));
        assert.deepStrictEqual(same.map(([at]) => at), []);
      });

      it(`${kind.kind}: no description shares ${RUN} consecutive words with any upstream description of the kind`, () => {
        assert.deepStrictEqual(sharedRuns(ours, upstream.values()), []);
      });

      it(`${kind.kind}: every backup and restore field we promised is described`, () => {
        const described = new Set(ours.map(([at]) => at));
        const inCrd = [...nodes(loadCrdSchema(kind))].map(([at]) => at);
        const scoped = inCrd.filter((at) => DESCRIBED[kind.kind].some((p) => inScope(p, at)));
        assert.ok(scoped.length > 0, `${kind.kind}: the description scope matches no field`);
        assert.deepStrictEqual(scoped.filter((at) => !described.has(at)), []);
        for (const [at, text] of ours) assert.ok(text.trim() === text && text.length > 0, `${at}: empty or untrimmed description`);
      });
    }
  });

  describeWithReference('the drift check reports, naming the path', () => {
    const cluster = info('SGCluster');
    const storage = info('SGObjectStorage');
    const backups = 'spec.configurations.backups[]';

    function mutated(kind: KindInfo, change: (schema: Node) => void): string[] {
      const schema = structuredClone(loadSchema(kind));
      change(schema);
      return driftOf(kind.kind, loadCrdSchema(kind), schema).map((d) => d.slice(0, d.indexOf(':')));
    }

    it('a property dropped from the schema', () => {
      const drift = mutated(cluster, (s) => delete (nodeAt(s, backups).properties as Node).retention);
      assert.deepStrictEqual(drift, [`${backups}.retention property`]);
    });

    it('a property the CRD does not have', () => {
      const drift = mutated(cluster, (s) => ((nodeAt(s, backups).properties as Node).bakupPath = { type: 'string' }));
      assert.deepStrictEqual(drift, [`${backups}.bakupPath property`]);
    });

    it('a changed enum', () => {
      const drift = mutated(cluster, (s) => (nodeAt(s, `${backups}.compression`).enum = ['lz4', 'lzma', 'zstd']));
      assert.deepStrictEqual(drift, [`${backups}.compression enum`]);
    });

    it('an enum the CRD and the webhook list do not have', () => {
      const drift = mutated(cluster, (s) => (nodeAt(s, `${backups}.cronSchedule`).enum = ['@daily']));
      assert.deepStrictEqual(drift, [`${backups}.cronSchedule enum`]);
    });

    it('a dropped required entry', () => {
      const drift = mutated(cluster, (s) => (nodeAt(s, backups).required = []));
      assert.deepStrictEqual(drift, [`${backups} required`]);
    });

    it('a changed minimum', () => {
      const drift = mutated(cluster, (s) => (nodeAt(s, `${backups}.retention`).minimum = 0));
      assert.deepStrictEqual(drift, [`${backups}.retention minimum`]);
    });

    it('a changed type, maxLength and pattern', () => {
      assert.deepStrictEqual(mutated(cluster, (s) => (nodeAt(s, 'spec.instances').type = 'string')), ['spec.instances type']);
      assert.deepStrictEqual(mutated(cluster, (s) => (nodeAt(s, 'metadata.name').maxLength = 63)), ['metadata.name maxLength']);
      assert.deepStrictEqual(mutated(storage, (s) => (nodeAt(s, 'spec.s3.bucket').pattern = '^.*$')), ['spec.s3.bucket pattern']);
    });

    it('a webhook enum with other values or without its marker', () => {
      assert.deepStrictEqual(
        mutated(storage, (s) => (nodeAt(s, 'spec.s3.storageClass').enum = ['STANDARD', 'GLACIER'])),
        ['spec.s3.storageClass enum'],
      );
      assert.deepStrictEqual(
        mutated(storage, (s) => delete nodeAt(s, 'spec.encryption.method')['x-stackgres-enum-source']),
        ['spec.encryption.method enum'],
      );
    });

    it('a CRD that gains its own enum where the webhook list adds one', () => {
      const crd = structuredClone(loadCrdSchema(storage));
      nodeAt(crd, 'spec.encryption.method').enum = ['sodium', 'openpgp'];
      const drift = driftOf(storage.kind, crd, loadSchema(storage)).map((d) => d.slice(0, d.indexOf(':')));
      assert.deepStrictEqual(drift, ['spec.encryption.method enum']);
    });
  });
});
