import * as assert from 'node:assert/strict';
import { codes, findings, yaml } from '../helpers';

const s3 = yaml`
  apiVersion: stackgres.io/v1beta1
  kind: SGObjectStorage
  metadata:
    name: backups
  spec:
    type: s3
    s3:
      bucket: my-bucket
      awsCredentials:
        secretKeySelectors:
          accessKeyId: {name: s3-backup-secret, key: accessKeyId}
          secretAccessKey: {name: s3-backup-secret, key: secretAccessKey}
`;

describe('SGObjectStorage rules', () => {
  it('accepts the tutorial s3 storage', () => {
    assert.deepEqual(codes(s3), []);
  });

  describe('type', () => {
    it('without type but with an s3 section: an error on spec, since the operator turns it into s3Compatible and rejects it', () => {
      const [f] = findings(s3.replace('  type: s3\n', ''));
      assert.equal(f.code, 'storage-type-missing');
      assert.equal(f.severity, 'error');
      assert.equal(f.underlined, 'spec');
      assert.match(f.message, /Add `type: s3`/);
      assert.deepEqual(f.fixes, [{ kind: 'insert-key', title: 'Add type: s3', parent: ['spec'], key: 'type', value: 's3' }]);
    });

    it('without type and with only s3Compatible: a warning about the MinIO defaults', () => {
      const f = findings(yaml`
        apiVersion: stackgres.io/v1beta1
        kind: SGObjectStorage
        metadata: {name: x}
        spec:
          s3Compatible:
            bucket: my-bucket
            endpoint: https://minio.example.com
            region: us-east-1
            awsCredentials:
              secretKeySelectors:
                accessKeyId: {name: s, key: a}
                secretAccessKey: {name: s, key: b}
      `);
      assert.deepEqual(f.map((x) => [x.code, x.severity ?? 'default']), [['storage-type-missing', 'default']]);
      assert.match(f[0].message, /MinIO defaults/);
    });

    it('an empty spec becomes a MinIO storage silently: warned', () => {
      const [f] = findings('apiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\nmetadata: {name: x}\nspec: {}\n');
      assert.equal(f.code, 'storage-type-missing');
      assert.match(f.message, /bucket `stackgres`/);
      assert.equal(f.fixes, undefined);
    });

    it('type without its section: an error on the type value, with a fix when one other section exists', () => {
      const text = s3.replace('type: s3', 'type: gcs');
      const f = findings(text).find((x) => x.code === 'storage-section-missing')!;
      assert.equal(f.underlined, 'gcs');
      assert.match(f.message, /the gcs property must be set/);
      assert.deepEqual(f.fixes?.map((x) => x.title), ['Change type to s3']);
    });

    it('two sections: the one not named by type is an error', () => {
      const text = s3 + '  gcs:\n    bucket: other\n';
      const f = findings(text).filter((x) => x.code === 'storage-section-conflict');
      assert.equal(f.length, 1);
      assert.equal(f[0].underlined, 'gcs');
      assert.match(f[0].message, /neither s3Compatible, gcs or azureBlob must be set/);
    });
  });

  describe('credentials per type', () => {
    it('s3 with neither useIAMRole nor secretKeySelectors is an error on awsCredentials', () => {
      const text = s3.replace(/ {6}secretKeySelectors:\n.*\n.*\n/, '      useIAMRole: false\n');
      const f = findings(text);
      assert.deepEqual(f.map((x) => [x.code, x.underlined]), [['s3-credentials-missing', 'awsCredentials']]);
    });

    it('s3 with useIAMRole: true accepts no keys, and warns when keys are also given', () => {
      assert.deepEqual(codes(s3.replace(/ {6}secretKeySelectors:\n.*\n.*\n/, '      useIAMRole: true\n')), []);
      const f = findings(s3.replace('    awsCredentials:\n', '    awsCredentials:\n      useIAMRole: true\n'));
      assert.deepEqual(f.map((x) => [x.code, x.underlined]), [['s3-credentials-ignored', 'secretKeySelectors']]);
    });

    it('gcs needs the metadata service or a service account key', () => {
      const gcs = yaml`
        apiVersion: stackgres.io/v1beta1
        kind: SGObjectStorage
        metadata: {name: g}
        spec:
          type: gcs
          gcs:
            bucket: my-bucket
            gcpCredentials:
              fetchCredentialsFromMetadataService: false
      `;
      assert.deepEqual(findings(gcs).map((x) => [x.code, x.underlined]), [['gcs-credentials-missing', 'gcpCredentials']]);
      assert.deepEqual(codes(gcs.replace('false', 'true')), []);
      const both = gcs.replace('false', 'true') + '      secretKeySelectors:\n        serviceAccountJSON: {name: g, key: k}\n';
      assert.deepEqual(codes(both), ['gcs-credentials-ignored']);
    });
  });

  describe('s3Compatible endpoint and region', () => {
    const compat = (extra: string) => yaml`
      apiVersion: stackgres.io/v1beta1
      kind: SGObjectStorage
      metadata: {name: c}
      spec:
        type: s3Compatible
        s3Compatible:
          bucket: my-bucket
          awsCredentials:
            secretKeySelectors:
              accessKeyId: {name: s, key: a}
              secretAccessKey: {name: s, key: b}
    ` + extra;

    it('missing endpoint warns (http://minio:9000 is filled in), missing region informs', () => {
      assert.deepEqual(codes(compat('')), ['s3compatible-endpoint-missing', 's3compatible-region-missing']);
    });

    it('an endpoint without http(s):// is an error with a fix to https', () => {
      const f = findings(compat('    endpoint: nyc3.digitaloceanspaces.com\n    region: nyc3\n'));
      assert.deepEqual(f.map((x) => [x.code, x.underlined]), [['s3compatible-endpoint-invalid', 'nyc3.digitaloceanspaces.com']]);
      assert.equal(f[0].fixes?.[0].title, 'Use https://nyc3.digitaloceanspaces.com');
    });

    it('an endpoint with a space or a line break in it is not a URL', () => {
      for (const endpoint of ['"https://ok;touch x.example.com"', '"https://objects.example.com/\\ntouch x"', '"https://objects.example.com/a b"']) {
        assert.deepEqual(codes(compat(`    endpoint: ${endpoint}\n    region: nyc3\n`)), ['s3compatible-endpoint-invalid'], endpoint);
      }
    });

    it('a full endpoint and region give nothing', () => {
      assert.deepEqual(codes(compat('    endpoint: https://nyc3.digitaloceanspaces.com\n    region: nyc3\n')), []);
    });
  });

  describe('storageClass (case-sensitive webhook enum)', () => {
    it('lower case is an error with a fix to the right case', () => {
      const f = findings(s3.replace('bucket: my-bucket', 'bucket: my-bucket\n    storageClass: standard_ia'));
      assert.equal(f.length, 1);
      assert.equal(f[0].code, 'storage-class-invalid');
      assert.equal(f[0].underlined, 'standard_ia');
      assert.deepEqual(f[0].fixes, [{ kind: 'set-value', title: 'Change to STANDARD_IA', path: ['spec', 's3', 'storageClass'], value: 'STANDARD_IA' }]);
    });

    it('an unknown class lists the accepted ones', () => {
      const [f] = findings(s3.replace('bucket: my-bucket', 'bucket: my-bucket\n    storageClass: GLACIER'));
      assert.match(f.message, /`STANDARD`, `STANDARD_IA`, `REDUCED_REDUNDANCY`/);
      assert.equal(f.fixes?.length, 3);
    });

    it('accepts STANDARD_IA', () => {
      assert.deepEqual(codes(s3.replace('bucket: my-bucket', 'bucket: my-bucket\n    storageClass: STANDARD_IA')), []);
    });
  });

  it('a bucket written as an https URL is flagged, with the bare name offered', () => {
    const [f] = findings(s3.replace('bucket: my-bucket', 'bucket: https://my-bucket/sub'));
    assert.equal(f.code, 'bucket-url-scheme');
    assert.equal(f.fixes?.[0].title, 'Use my-bucket/sub');
  });

  describe('bucket names (the S3 naming rules)', () => {
    const withBucket = (bucket: string, doc = s3) => doc.replace('bucket: my-bucket', `bucket: ${JSON.stringify(bucket)}`);

    it('an error on the bucket value, with the rule in the message', () => {
      const [f] = findings(withBucket('My_Backups/prod'));
      assert.equal(f.code, 'bucket-name-invalid');
      assert.equal(f.severity, undefined);
      assert.equal(f.underlined, '"My_Backups/prod"');
      assert.equal(f.message, '"My_Backups" is not a valid S3 bucket name (it has upper-case letters). An S3 bucket name has 3 to 63 characters: lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit, without ".." and not in the form of an IP address. wal-g cannot back up to it. Use the bucket\'s real name (a sub-path may follow after "/").');
    });

    it('each rule: length, characters, first and last character, "..", IP address form, a line break', () => {
      const why = (bucket: string): string => /\((.*?)\)\./.exec(findings(withBucket(bucket))[0]?.message ?? '')?.[1] ?? 'accepted';
      assert.equal(why('ab'), 'it has 2 characters');
      assert.equal(why('a'.repeat(64)), 'it has 64 characters');
      assert.equal(why('my_bucket'), 'it contains "_"');
      assert.equal(why('ok\ntouch X'), 'it contains "\\n"');
      assert.equal(why('-bucket'), 'it does not begin and end with a letter or digit');
      assert.equal(why('bucket.'), 'it does not begin and end with a letter or digit');
      assert.equal(why('my..bucket'), 'it contains ".."');
      assert.equal(why('192.168.5.4'), 'it is in the form of an IP address');
    });

    it('s3: the prefixes and suffixes AWS reserves; s3Compatible services do not reserve them', () => {
      for (const name of ['xn--bucket', 'sthree-bucket', 'amzn-s3-demo-bucket', 'bucket-s3alias', 'bucket--ol-s3', 'bucket.mrap', 'bucket--x-s3', 'bucket--table-s3']) {
        assert.match(findings(withBucket(name))[0]?.message ?? '', /AWS reserves the (prefix|suffix)/, name);
      }
      const compatible = s3.replace('type: s3\n  s3:', 'type: s3Compatible\n  s3Compatible:\n    endpoint: https://minio.example.com\n    region: k8s');
      assert.deepEqual(codes(withBucket('bucket--x-s3', compatible)), []);
      assert.deepEqual(codes(withBucket('Bucket', compatible)), ['bucket-name-invalid']);
    });

    it('accepts valid names, with s3:// and a sub-path; an https:// bucket gets only bucket-url-scheme', () => {
      for (const b of ['my-bucket', 'abc', 'a'.repeat(63), 'my.bucket.1', 's3://my-bucket/team/pg', 'my-bucket/Team_A/pg']) {
        assert.deepEqual(codes(withBucket(b)), [], b);
      }
      assert.deepEqual(codes(withBucket('https://Bad_Name/sub')), ['bucket-url-scheme']);
    });

    it('gcs and azureBlob buckets follow their own rules and are not checked', () => {
      const gcs = 'apiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\nmetadata: {name: g}\nspec:\n  type: gcs\n  gcs:\n    bucket: My_GCS_bucket\n    gcpCredentials: {fetchCredentialsFromMetadataService: true}\n';
      assert.deepEqual(codes(gcs), []);
    });
  });

  describe('encryption', () => {
    const withEnc = (enc: string) => s3.replace('spec:\n', `spec:\n  encryption:\n${enc}`);

    it('sodium with its section is fine; method without section is an error', () => {
      assert.deepEqual(codes(withEnc('    method: sodium\n    sodium:\n      key: {name: k, key: key}\n      keyTransform: hex\n')), []);
      const [f] = findings(withEnc('    method: sodium\n'));
      assert.equal(f.code, 'encryption-section-missing');
      assert.equal(f.underlined, 'sodium');
    });

    it('sodium and openpgp together: both flagged', () => {
      const f = findings(withEnc('    sodium:\n      key: {name: k, key: key}\n    openpgp:\n      key: {name: p, key: key}\n'));
      assert.deepEqual(f.map((x) => [x.code, x.underlined]), [['encryption-sections-conflict', 'sodium'], ['encryption-sections-conflict', 'openpgp']]);
    });

    it('method and keyTransform values are checked, case included', () => {
      const f = findings(withEnc('    method: Sodium\n    sodium:\n      key: {name: k, key: key}\n      keyTransform: HEX\n'));
      assert.deepEqual(f.map((x) => [x.code, x.fixes?.[0].title]), [
        ['encryption-method-invalid', 'Change to sodium'],
        ['encryption-key-transform-invalid', 'Change to hex'],
      ]);
    });
  });
});

describe('SGObjectStorage rules: Azure Blob', () => {
  it('azureCredentials without secretKeySelectors is an error', () => {
    const text = 'apiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\nmetadata: {name: a}\nspec:\n  type: azureBlob\n  azureBlob:\n    bucket: c\n    azureCredentials: {}\n';
    assert.deepEqual(findings(text).map((x) => [x.code, x.underlined]), [['azure-credentials-missing', 'azureCredentials']]);
  });
});
