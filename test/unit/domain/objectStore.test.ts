import * as assert from 'node:assert/strict';
import {
  accessTestPlan,
  awsCliCommands,
  backupPathOfBackup,
  checkScope,
  clusterBackupPath,
  clusterStorageName,
  endpointProblem,
  explainStorageFailure,
  FailureContext,
  iamPolicy,
  normalizeBucketRegion,
  regionMismatch,
  STORAGE_ACTIONS,
  storageLocation,
  StorageLocation,
  storageOfBackup,
  stopsTheTest,
  systemFailureCode,
} from '@core/objectStore';
import {
  backupNameOfSentinelKey,
  describeWalgBackup,
  formatLsn,
  matchBackups,
  metadataKey,
  parseBackupMetadata,
  parseSentinel,
  parseWalObjectName,
  segmentName,
  sentinelKey,
} from '@core/walg';

const creds = { secretKeySelectors: { accessKeyId: { name: 's3-backup-secret', key: 'accessKeyId' }, secretAccessKey: { name: 's3-backup-secret', key: 'secretAccessKey' } } };
const PATH = 'sgbackups.stackgres.io/demo/pg/2026-01-01-00-00-00/16';

function located(spec: unknown, path = PATH): StorageLocation {
  const r = storageLocation(spec, path);
  if (!r.ok) assert.fail(r.error);
  return r.value;
}

describe('Object storage locations', () => {
  describe('prefix, bucket and key prefix', () => {
    it('s3 with a bare bucket: s3://bucket/<path>, keys under <path>/', () => {
      const loc = located({ type: 's3', s3: { bucket: 'my-bucket', region: 'eu-west-1', storageClass: 'STANDARD_IA', awsCredentials: creds } });
      assert.equal(loc.prefixEnv, 'WALG_S3_PREFIX');
      assert.equal(loc.prefix, `s3://my-bucket/${PATH}`);
      assert.equal(loc.bucket, 'my-bucket');
      assert.equal(loc.subPath, '');
      assert.equal(loc.keyPrefix, `${PATH}/`);
      assert.equal(loc.region, 'eu-west-1');
      assert.equal(loc.endpoint, undefined);
      assert.equal(loc.forcePathStyle, false);
      assert.equal(loc.storageClass, 'STANDARD_IA');
      assert.deepEqual(loc.credentials, { accessKeyId: { name: 's3-backup-secret', key: 'accessKeyId' }, secretAccessKey: { name: 's3-backup-secret', key: 'secretAccessKey' }, useIAMRole: false });
      assert.deepEqual(loc.notes, []);
    });

    it('a bucket with a sub-path: the bucket is the first segment, the rest leads every key', () => {
      const loc = located({ type: 's3', s3: { bucket: 'my-bucket/team/pg', awsCredentials: creds } });
      assert.equal(loc.prefix, `s3://my-bucket/team/pg/${PATH}`);
      assert.equal(loc.bucket, 'my-bucket');
      assert.equal(loc.subPath, 'team/pg');
      assert.equal(loc.keyPrefix, `team/pg/${PATH}/`);
    });

    it('a bucket written with s3:// is used as written', () => {
      const loc = located({ type: 's3', s3: { bucket: 's3://my-bucket/sub', awsCredentials: creds } });
      assert.equal(loc.prefix, `s3://my-bucket/sub/${PATH}`);
      assert.equal(loc.bucket, 'my-bucket');
      assert.equal(loc.keyPrefix, `sub/${PATH}/`);
      assert.deepEqual(loc.notes, []);
    });

    it('a bucket written with https:// reaches wal-g as an https:// prefix: a note', () => {
      const loc = located({ type: 's3', s3: { bucket: 'https://my-bucket', awsCredentials: creds } });
      assert.equal(loc.prefix, `https://my-bucket/${PATH}`);
      assert.equal(loc.bucket, 'my-bucket');
      assert.deepEqual(loc.notes, [`The bucket starts with https://, so wal-g gets the prefix https://my-bucket/${PATH}; write the bare bucket name or s3://.`]);
    });

    it('a leading slash in the path gives // in the prefix and a key starting with /', () => {
      const loc = located({ type: 'azureBlob', azureBlob: { bucket: 'backups' } }, '/production');
      assert.equal(loc.prefix, 'azure://backups//production');
      assert.equal(loc.keyPrefix, '/production/');
      assert.match(loc.notes[0], /^The object keys contain an empty folder \("\/production\/"\): a path or bucket with a leading or trailing "\/" doubles the slash/);
    });

    it('a leading slash after a sub-path: sub//path', () => {
      const loc = located({ type: 's3', s3: { bucket: 'b/sub', awsCredentials: creds } }, '/production');
      assert.equal(loc.prefix, 's3://b/sub//production');
      assert.equal(loc.keyPrefix, 'sub//production/');
      assert.equal(loc.notes.length, 1);
    });

    it('gcs: WALG_GS_PREFIX with gs://', () => {
      const loc = located({ type: 'gcs', gcs: { bucket: 'gs://gcs-bucket/x', gcpCredentials: { fetchCredentialsFromMetadataService: true } } });
      assert.equal(loc.prefixEnv, 'WALG_GS_PREFIX');
      assert.equal(loc.prefix, `gs://gcs-bucket/x/${PATH}`);
      assert.equal(loc.bucket, 'gcs-bucket');
      assert.equal(loc.credentials, undefined);
    });

    it('azureBlob: WALG_AZ_PREFIX with azure://', () => {
      const loc = located({ type: 'azureBlob', azureBlob: { bucket: 'container/sub' } });
      assert.equal(loc.prefixEnv, 'WALG_AZ_PREFIX');
      assert.equal(loc.prefix, `azure://container/sub/${PATH}`);
      assert.equal(loc.subPath, 'sub');
    });
  });

  describe('s3Compatible settings', () => {
    it('endpoint, region, path style and the CA certificate selector as written', () => {
      const loc = located({
        type: 's3Compatible',
        s3Compatible: {
          bucket: 'stackgres', endpoint: 'https://minio.example.com:9000', region: 'eu', enablePathStyleAddressing: false,
          awsCredentials: { secretKeySelectors: { ...creds.secretKeySelectors, caCertificate: { name: 'minio-ca', key: 'ca.crt' } } },
        },
      });
      assert.equal(loc.endpoint, 'https://minio.example.com:9000');
      assert.equal(loc.region, 'eu');
      assert.equal(loc.forcePathStyle, false);
      assert.deepEqual(loc.caCertificate, { name: 'minio-ca', key: 'ca.crt' });
      assert.deepEqual(loc.notes, []);
    });

    it('missing endpoint, region and path style: the operator\'s MinIO defaults, each with a note', () => {
      const loc = located({ type: 's3Compatible', s3Compatible: { bucket: 'b', awsCredentials: creds } });
      assert.equal(loc.endpoint, 'http://minio:9000');
      assert.equal(loc.region, 'k8s');
      assert.equal(loc.forcePathStyle, true);
      assert.deepEqual(loc.notes, [
        'No endpoint: the operator fills http://minio:9000 on creation, which only works with an in-cluster MinIO.',
        'No region: the operator fills "k8s" on creation.',
      ]);
    });

    it('no type: s3Compatible, as the operator assumes', () => {
      assert.equal(located({ s3Compatible: { bucket: 'b', endpoint: 'http://x:1', region: 'r', awsCredentials: creds } }).type, 's3Compatible');
    });

    it('useIAMRole on s3', () => {
      assert.equal(located({ type: 's3', s3: { bucket: 'b', awsCredentials: { useIAMRole: true } } }).credentials?.useIAMRole, true);
    });
  });

  describe('what cannot be located', () => {
    it('no backup path yet', () => {
      assert.deepEqual(storageLocation({ type: 's3', s3: { bucket: 'b' } }, undefined), {
        ok: false,
        error: 'No backup path yet: the operator sets status.backupPaths when it first reconciles the cluster, or set spec.configurations.backups[0].path.',
      });
    });

    it('no bucket, an unknown type, no spec', () => {
      assert.deepEqual(storageLocation({ type: 's3', s3: {} }, PATH), { ok: false, error: 'The s3 section has no bucket.' });
      assert.deepEqual(storageLocation({ type: 'ftp' }, PATH), { ok: false, error: 'Unknown storage type "ftp": use s3, s3Compatible, gcs or azureBlob.' });
      assert.deepEqual(storageLocation('x', PATH), { ok: false, error: 'The storage has no spec.' });
    });
  });

  describe('backup paths', () => {
    it('a cluster: spec.configurations.backups[0].path first, then status.backupPaths[0]', () => {
      const cluster = { spec: { configurations: { backups: [{ sgObjectStorage: 'objs', path: 'explicit' }] } }, status: { backupPaths: ['computed'] } };
      assert.equal(clusterBackupPath(cluster), 'explicit');
      assert.equal(clusterBackupPath({ ...cluster, spec: { configurations: { backups: [{ sgObjectStorage: 'objs' }] } } }), 'computed');
      assert.equal(clusterBackupPath({ spec: {} }), undefined);
      assert.equal(clusterStorageName(cluster), 'objs');
    });

    it('a backup: its own status.backupPath and the storage copied into it', () => {
      const storage = { type: 's3', s3: { bucket: 'old' } };
      const backup = { status: { backupPath: 'p', sgBackupConfig: { storage } } };
      assert.equal(backupPathOfBackup(backup), 'p');
      assert.equal(storageOfBackup(backup), storage);
      assert.equal(located(storageOfBackup(backup), backupPathOfBackup(backup)).prefix, 's3://old/p');
    });
  });

  describe('endpoint URLs', () => {
    it('accepts http and https URLs with a host', () => {
      assert.equal(endpointProblem('http://minio:9000'), undefined);
      assert.equal(endpointProblem('https://s3.example.com'), undefined);
    });

    it('refuses host:port without a scheme, other schemes and empty hosts, with the fix', () => {
      for (const bad of ['minio:9000', 'minio.storage', 'ftp://minio', 'http://', '']) {
        assert.equal(endpointProblem(bad), `The endpoint "${bad}" is not a URL: write it as http://host:port or https://host (the operator rejects it too: "s3Compatible.endpoint must be a valid URL").`);
      }
    });
  });

  it('gcs and azureBlob: says that only the configuration is checked, and what is not', () => {
    const gcs = checkScope('gcs');
    assert.equal(gcs.canTestAccess, false);
    assert.deepEqual(gcs.checked, ['the manifest: type, bucket, credentials selectors', 'that the referenced Secret and keys exist in the namespace']);
    assert.equal(gcs.notChecked[0], 'whether the service account JSON (or Workload Identity) can read, write and delete in the bucket: this extension only speaks S3, not Google Cloud Storage');
    assert.match(checkScope('azureBlob').notChecked[0], /storage account and access key .* not Azure Blob Storage$/);
    assert.equal(checkScope('s3Compatible').canTestAccess, true);
  });
});

describe('The tutorial\'s IAM policy and AWS CLI commands', () => {
  it('the whole bucket: ListBucket and GetBucketLocation on it, object actions on bucket/*', () => {
    assert.equal(JSON.stringify(iamPolicy('my-bucket')), JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: ['arn:aws:s3:::my-bucket'] },
        { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], Resource: ['arn:aws:s3:::my-bucket/*'] },
      ],
    }));
  });

  it('a sub-path: listing limited by an s3:prefix condition, objects limited to the sub-path', () => {
    assert.equal(JSON.stringify(iamPolicy('my-bucket', 'team/pg')), JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::my-bucket'], Condition: { StringLike: { 's3:prefix': ['team/pg/*'] } } },
        { Effect: 'Allow', Action: ['s3:GetBucketLocation'], Resource: ['arn:aws:s3:::my-bucket'] },
        { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], Resource: ['arn:aws:s3:::my-bucket/team/pg/*'] },
      ],
    }));
  });

  function cli(loc: StorageLocation, options?: Parameters<typeof awsCliCommands>[1]): string {
    const r = awsCliCommands(loc, options);
    return r.ok ? r.value : assert.fail(r.error);
  }

  it('the AWS CLI steps: user, policy, access key into credentials.json, bucket, then deleting credentials.json', () => {
    const loc = located({ type: 's3', s3: { bucket: 'my-bucket', region: 'eu-west-1', awsCredentials: creds } });
    const text = cli(loc);
    assert.equal(text.slice(0, text.indexOf('# Once')), [
      '# StackGres backups to s3://my-bucket: a user that can only do what wal-g needs.',
      'aws iam create-user --region eu-west-1 --user-name stackgres-backup-my-bucket',
      '',
      "cat > stackgres-backup-policy.json <<'EOF'",
      JSON.stringify(iamPolicy('my-bucket'), null, 2),
      'EOF',
      'aws iam put-user-policy --region eu-west-1 --user-name stackgres-backup-my-bucket --policy-name stackgres-backup-my-bucket --policy-document file://stackgres-backup-policy.json',
      '',
      '# The access key goes to credentials.json: keep it out of version control; the last line deletes it once the Secret holds it.',
      'aws --output json iam create-access-key --region eu-west-1 --user-name stackgres-backup-my-bucket > credentials.json',
      '',
      'aws s3 mb s3://my-bucket --region eu-west-1',
      '',
      '',
    ].join('\n'));
    // Without the storage's namespace the Secret cannot be looked up: the deletion is left to the DBA.
    assert.ok(text.endsWith("# Once the storage's Secret holds this access key, delete the file:\n# rm -f credentials.json\n"));
    assert.match(cli(loc, { storage: { name: 'backups', namespace: 'demo' } }), /^# SGObjectStorage backups \(namespace demo\): an IAM user that can do only what wal-g needs,\n/);
  });

  it('s3Compatible: the bucket command gets the endpoint, and a note that IAM is AWS\'s; a sub-path policy', () => {
    const loc = located({ type: 's3Compatible', s3Compatible: { bucket: 'backups/sub', endpoint: 'https://objects.example.com', region: 'k8s', awsCredentials: creds } });
    const text = cli(loc, { userName: 'pg-backups' });
    assert.match(text, /^# StackGres backups to s3:\/\/backups\/sub: .*\n# The IAM commands are for AWS; S3-compatible services create users and policies their own way \(same policy JSON\)\.\n/);
    assert.ok(text.includes('--user-name pg-backups'));
    assert.ok(text.includes('aws s3 mb s3://backups --region k8s --endpoint-url https://objects.example.com\n'));
    assert.ok(text.includes('"arn:aws:s3:::backups/sub/*"'));
  });

  it('refuses values that cannot be what they claim, saying which and why', () => {
    const refused = (spec: unknown, options?: Parameters<typeof awsCliCommands>[1]): string => {
      const r = awsCliCommands(located(spec), options);
      return r.ok ? assert.fail('not refused') : r.error;
    };
    assert.equal(refused({ type: 's3', s3: { bucket: 'My_Bucket', awsCredentials: creds } }),
      '"My_Bucket" is not a valid S3 bucket name (it has upper-case letters). An S3 bucket name has 3 to 63 characters: lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit, without ".." and not in the form of an IP address.');
    assert.equal(refused({ type: 's3', s3: { bucket: 'my-bucket', region: 'eu west', awsCredentials: creds } }), '"eu west" is not a region: AWS regions look like eu-west-1 or us-east-1.');
    assert.equal(refused({ type: 's3', s3: { bucket: 'my-bucket/team/*', awsCredentials: creds } }),
      'The sub-path "team/*" holds a wildcard (*, ?), a policy variable ($) or a control character: in an IAM policy it would allow more than that folder. Use a sub-path of plain folder names.');
    assert.equal(refused({ type: 's3', s3: { bucket: 'my-bucket', awsCredentials: creds } }, { userName: 'pg backups' }),
      '"pg backups" is not an IAM user name: use up to 64 letters, digits and + = , . @ _ -.');
  });
});

describe('The access test plan', () => {
  const loc = located({ type: 's3', s3: { bucket: 'my-bucket/sub', awsCredentials: creds } });

  it('runs the tutorial\'s actions in order on a probe object under the backup path', () => {
    const plan = accessTestPlan(loc, 'run1');
    assert.deepEqual(plan.steps.map((s) => `${s.permission} ${s.resource}${s.optional ? ' (optional)' : ''}`), [
      's3:ListBucket arn:aws:s3:::my-bucket',
      's3:GetBucketLocation arn:aws:s3:::my-bucket',
      's3:PutObject arn:aws:s3:::my-bucket/sub/*',
      's3:GetObject arn:aws:s3:::my-bucket/sub/*',
      's3:DeleteObject arn:aws:s3:::my-bucket/sub/*',
    ]);
    assert.equal(plan.probeKey, `sub/${PATH}/stackgres-access-test-run1`);
    assert.equal(plan.bucket, 'my-bucket');
  });

  it('GetBucketLocation is optional once the region is set', () => {
    const withRegion = located({ type: 's3', s3: { bucket: 'b', region: 'eu-west-1', awsCredentials: creds } });
    assert.equal(accessTestPlan(withRegion, 'x').steps[1].optional, true);
  });

  it('bucket regions: AWS\'s empty answer is us-east-1, EU is eu-west-1; a mismatch matters on AWS only', () => {
    assert.equal(normalizeBucketRegion(''), 'us-east-1');
    assert.equal(normalizeBucketRegion(undefined), 'us-east-1');
    assert.equal(normalizeBucketRegion('EU'), 'eu-west-1');
    assert.equal(regionMismatch('s3', 'us-east-1', 'eu-west-1'), 'The bucket is in eu-west-1 but the storage says region us-east-1: set region: eu-west-1.');
    assert.equal(regionMismatch('s3Compatible', 'k8s', 'default'), undefined);
    assert.equal(regionMismatch('s3', undefined, 'eu-west-1'), undefined);
  });
});

describe('One line per failure', () => {
  const ctx: FailureContext = { bucket: 'my-bucket', type: 's3Compatible', endpoint: 'https://minio.example.com', region: 'k8s', timeoutMs: 15_000 };

  it('AccessDenied names the missing permission, its resource, and what breaks without it', () => {
    assert.deepEqual(STORAGE_ACTIONS.map((action) => explainStorageFailure({ code: 'AccessDenied' }, { ...ctx, action })), [
      'The policy lacks s3:ListBucket on arn:aws:s3:::my-bucket, so wal-g cannot list backups or WAL: backup listing, retention and restores fail.',
      'The policy lacks s3:GetBucketLocation on arn:aws:s3:::my-bucket, so wal-g cannot find the bucket\'s region unless region is set in the SGObjectStorage.',
      'The policy lacks s3:PutObject on arn:aws:s3:::my-bucket/*, so backups and WAL archiving fail, and WAL piles up on the database disk.',
      'The policy lacks s3:GetObject on arn:aws:s3:::my-bucket/*, so restores and replicas created from backups fail.',
      'The policy lacks s3:DeleteObject on arn:aws:s3:::my-bucket/*, so retention cannot delete old backups.',
    ]);
  });

  it('credentials, bucket and clock', () => {
    assert.equal(explainStorageFailure({ code: 'NoSuchBucket' }, ctx), 'The bucket my-bucket does not exist at https://minio.example.com: create it (aws s3 mb s3://my-bucket) or correct the bucket name.');
    // Any bucket name a service sends back: the command shown stays one quoted word.
    assert.match(explainStorageFailure({ code: 'NoSuchBucket' }, { ...ctx, bucket: 'x$(id)' }), /create it \(aws s3 mb 's3:\/\/x\$\(id\)'\)/);
    assert.match(explainStorageFailure({ code: 'PermanentRedirect' }, { ...ctx, bucket: 'x;id' }), /aws s3api get-bucket-location --bucket 'x;id'\)/);
    assert.equal(explainStorageFailure({ code: 'InvalidAccessKeyId' }, { ...ctx, endpoint: undefined, type: 's3', region: 'eu-west-1' }), 'AWS S3 (eu-west-1) does not know this access key ID: check the accessKeyId value in the Secret (a deleted key, another account, or a stray newline).');
    assert.equal(explainStorageFailure({ code: 'SignatureDoesNotMatch' }, ctx), 'The secret access key does not match the access key ID: check the secretAccessKey value in the Secret (often a trailing newline from echo without -n).');
    assert.equal(explainStorageFailure({ code: 'RequestTimeTooSkewed' }, ctx), "This computer's clock is more than 15 minutes off the storage's: synchronise the clock (NTP) and test again.");
  });

  it('wrong region: names the right one when the answer says it', () => {
    const s3ctx: FailureContext = { bucket: 'b', type: 's3', region: 'us-east-1' };
    assert.equal(explainStorageFailure({ code: 'PermanentRedirect', region: 'eu-west-1' }, s3ctx), 'The bucket b is in region eu-west-1, not us-east-1: set s3.region: eu-west-1.');
    assert.equal(explainStorageFailure({ code: 'AuthorizationHeaderMalformed' }, s3ctx), "The bucket b is in another region than us-east-1: set s3.region to the bucket's region (aws s3api get-bucket-location --bucket b).");
  });

  it('TLS: untrusted, expired, wrong name, not TLS at all', () => {
    assert.equal(explainStorageFailure({ code: 'TlsError', systemCode: 'SELF_SIGNED_CERT_IN_CHAIN' }, ctx), "The TLS certificate of https://minio.example.com is not trusted (SELF_SIGNED_CERT_IN_CHAIN): set caCertificate in the SGObjectStorage's secretKeySelectors to the CA that signed it.");
    assert.equal(explainStorageFailure({ code: 'TlsError', systemCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, { ...ctx, type: 's3' }), 'The TLS certificate of https://minio.example.com is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE): use an endpoint with a publicly trusted certificate.');
    assert.equal(explainStorageFailure({ code: 'TlsError', systemCode: 'CERT_HAS_EXPIRED' }, ctx), 'The TLS certificate of https://minio.example.com has expired: renew it on the storage.');
    assert.equal(explainStorageFailure({ code: 'TlsError', systemCode: 'ERR_TLS_CERT_ALTNAME_INVALID' }, ctx), 'The TLS certificate of https://minio.example.com is for another host name: use the name the certificate was issued for in endpoint.');
    assert.equal(explainStorageFailure({ code: 'TlsError', systemCode: 'EPROTO' }, ctx), "https://minio.example.com does not speak TLS on that port: use http:// in endpoint, or the storage's https port.");
  });

  it('network: unknown host, refused, reset, timeout', () => {
    assert.equal(explainStorageFailure({ code: 'EndpointUnreachable', systemCode: 'ENOTFOUND' }, ctx), "The host minio.example.com does not resolve from this computer: check the endpoint's spelling (an in-cluster name such as minio.namespace works only inside the cluster).");
    assert.equal(explainStorageFailure({ code: 'EndpointUnreachable', systemCode: 'ECONNREFUSED' }, ctx), "Nothing accepts connections at https://minio.example.com: check the endpoint's host and port, and that the storage is running.");
    assert.equal(explainStorageFailure({ code: 'EndpointUnreachable', systemCode: 'EHOSTUNREACH' }, ctx), 'https://minio.example.com cannot be reached from this computer (EHOSTUNREACH): check the endpoint, the network and any VPN or proxy.');
    assert.equal(explainStorageFailure({ code: 'Timeout' }, ctx), 'https://minio.example.com did not answer within 15 s: check the endpoint, firewalls and proxies, or try again.');
  });

  it('codes without a translation: what the service said, with the HTTP status', () => {
    assert.equal(explainStorageFailure({ code: 'QuotaExceeded', httpStatus: 403, detail: 'Bucket quota reached' }, ctx), 'https://minio.example.com answered QuotaExceeded (HTTP 403): Bucket quota reached.');
    assert.equal(explainStorageFailure({ code: 'InvalidArgument', httpStatus: 400 }, { ...ctx, action: 'ListBucket' }), 'https://minio.example.com refused the request (InvalidArgument, HTTP 400).');
    assert.match(explainStorageFailure({ code: 'InvalidArgument', httpStatus: 400 }, { ...ctx, action: 'PutObject', storageClass: 'STANDARD_IA' }), /storage class STANDARD_IA \(InvalidArgument\): it probably does not offer that class/);
  });

  it('every message is one line', () => {
    const codes = ['AccessDenied', 'NoSuchBucket', 'NoSuchKey', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'RequestTimeTooSkewed', 'PermanentRedirect', 'AuthorizationHeaderMalformed',
      'InvalidBucketName', 'InvalidStorageClass', 'SlowDown', 'InvalidEndpoint', 'EndpointUnreachable', 'TlsError', 'Timeout', 'Aborted', 'TooLarge', 'MissingCredentials', 'Other'];
    for (const code of codes) {
      for (const action of [undefined, ...STORAGE_ACTIONS]) {
        const line = explainStorageFailure({ code }, { ...ctx, action });
        assert.ok(line.length > 0 && !line.includes('\n'), `${code}: ${line}`);
      }
    }
  });

  it('Node error codes: TLS, unreachable, timeout', () => {
    assert.equal(systemFailureCode('DEPTH_ZERO_SELF_SIGNED_CERT'), 'TlsError');
    assert.equal(systemFailureCode('ERR_SSL_WRONG_VERSION_NUMBER'), 'TlsError');
    assert.equal(systemFailureCode('ECONNREFUSED'), 'EndpointUnreachable');
    assert.equal(systemFailureCode('ENOTFOUND'), 'EndpointUnreachable');
    assert.equal(systemFailureCode('ETIMEDOUT'), 'Timeout');
    assert.equal(systemFailureCode('ENOENT'), undefined);
  });

  it('failures that make the remaining actions pointless, and those that do not', () => {
    assert.equal(stopsTheTest('SignatureDoesNotMatch'), true);
    assert.equal(stopsTheTest('NoSuchBucket'), true);
    assert.equal(stopsTheTest('AccessDenied'), false);
  });
});

describe('wal-g layout', () => {
  describe('sentinels and metadata.json', () => {
    const sentinel = '{"LSN":184549416,"FinishLSN":201326632,"PgVersion":160004,"SystemIdentifier":7301234567890123457,"UncompressedSize":31457280,"CompressedSize":4194304,"IsPermanent":true,"UserData":null,"Spec":null}';

    it('reads a sentinel, keeping the digits of a system identifier past 2^53', () => {
      assert.deepEqual(parseSentinel(sentinel), {
        ok: true,
        value: {
          startLsn: 184549416, finishLsn: 201326632, pgVersion: 160004, systemIdentifier: '7301234567890123457',
          uncompressedSize: 31457280, compressedSize: 4194304, isPermanent: true,
          startTime: undefined, finishTime: undefined, hostname: undefined, userData: null,
        },
      });
    });

    it('tolerates missing and mistyped fields', () => {
      const r = parseSentinel('{"LSN":"x","PgVersion":150003}');
      assert.ok(r.ok);
      assert.equal(r.value.startLsn, undefined);
      assert.equal(r.value.pgVersion, 150003);
      assert.ok(parseSentinel('{}').ok);
    });

    it('non-JSON, JSON that is not an object, and empty objects are errors, not exceptions', () => {
      assert.deepEqual(parseSentinel('<Error>AccessDenied</Error>'), { ok: false, error: 'The backup stop sentinel is not JSON (it starts with "<Error>AccessDenied</Error>")' });
      assert.deepEqual(parseSentinel('[1,2]'), { ok: false, error: 'The backup stop sentinel is JSON but not an object' });
      assert.deepEqual(parseSentinel(''), { ok: false, error: 'The backup stop sentinel is empty' });
      assert.deepEqual(parseBackupMetadata('{"start_time":'), { ok: false, error: 'metadata.json is not JSON (it starts with "{"start_time":")' });
    });

    it('reads metadata.json', () => {
      const r = parseBackupMetadata('{"start_time":"2026-01-01T00:00:00.000000Z","finish_time":"2026-01-01T00:01:30.000000Z","hostname":"pg-0","data_dir":"/var/lib/postgresql/data","pg_version":160004,"start_lsn":184549416,"finish_lsn":201326632,"is_permanent":false,"system_identifier":7301234567890123457,"uncompressed_size":10,"compressed_size":5,"user_data":"volume-snapshot"}');
      assert.ok(r.ok);
      assert.equal(r.value.finishTime, '2026-01-01T00:01:30.000000Z');
      assert.equal(r.value.systemIdentifier, '7301234567890123457');
      assert.equal(r.value.userData, 'volume-snapshot');
    });

    it('combines both: metadata.json first, the sentinel where it is silent, problems kept', () => {
      const b = describeWalgBackup('base_00000002000000000000000B', parseSentinel(sentinel), parseBackupMetadata('{"finish_time":"t","user_data":"volume-snapshot"}'));
      assert.equal(b.finishTime, 't');
      assert.equal(b.startLsn, '0/B000028');
      assert.equal(b.pgMajor, '16');
      assert.equal(b.timeline, 2);
      assert.equal(b.startWalFile, '00000002000000000000000B');
      assert.equal(b.isPermanent, true);
      assert.equal(b.volumeSnapshot, true);
      assert.deepEqual(b.problems, []);
      const broken = describeWalgBackup('base_x', parseSentinel('nope'), undefined);
      assert.deepEqual(broken.problems, ['The backup stop sentinel is not JSON (it starts with "nope")']);
      assert.equal(broken.timeline, undefined);
    });

    it('LSNs as Postgres prints them', () => {
      assert.equal(formatLsn(0), '0/0');
      assert.equal(formatLsn(184549416), '0/B000028');
      assert.equal(formatLsn(2 ** 32 + 255), '1/FF');
    });

    it('keys: sentinel and metadata.json of a backup, and back', () => {
      assert.equal(sentinelKey('p/', 'base_1'), 'p/basebackups_005/base_1_backup_stop_sentinel.json');
      assert.equal(metadataKey('p/', 'base_1'), 'p/basebackups_005/base_1/metadata.json');
      assert.equal(backupNameOfSentinelKey('p/basebackups_005/base_1_backup_stop_sentinel.json'), 'base_1');
      assert.equal(backupNameOfSentinelKey('p/basebackups_005/base_1/metadata.json'), undefined);
    });
  });

  describe('WAL object names', () => {
    it('segments with each compression', () => {
      assert.deepEqual(parseWalObjectName('p/wal_005/00000001000000000000000A.lz4'), {
        kind: 'segment', timeline: 1, log: 0, seg: 10, segment: '00000001000000000000000A', extension: 'lz4', compression: 'lz4',
      });
      assert.equal(parseWalObjectName('000000020000000300000004.zst')?.compression, 'zstd');
      assert.equal(parseWalObjectName('000000020000000300000004.br')?.compression, 'brotli');
      assert.equal(parseWalObjectName('000000020000000300000004.lzma')?.compression, 'lzma');
      assert.equal(parseWalObjectName('000000020000000300000004')?.compression, undefined);
    });

    it('timeline history files, partial segments and backup labels', () => {
      assert.deepEqual(parseWalObjectName('00000003.history.lz4'), { kind: 'timeline-history', timeline: 3, extension: 'lz4', compression: 'lz4' });
      assert.equal(parseWalObjectName('00000002000000000000000C.partial.lz4')?.kind, 'partial');
      const label = parseWalObjectName('00000002000000000000000C.00000028.backup.lz4');
      assert.equal(label?.kind, 'backup-history');
      assert.equal(label?.segment, '00000002000000000000000C');
    });

    it('anything else is not WAL', () => {
      for (const name of ['README', '0000000100000000000000.lz4', '00000001000000000000000g.lz4', 'basebackups_005']) assert.equal(parseWalObjectName(name), undefined, name);
    });

    it('segment names from their fields', () => {
      assert.equal(segmentName(1, 0, 0x2d), '00000001000000000000002D');
    });
  });

  describe('wal-g backups and SGBackups', () => {
    const sg = (name: string, internalName: string, backupPath: string, status = 'Completed'): unknown => ({
      metadata: { name, namespace: 'demo' }, status: { internalName, backupPath, process: { status } },
    });

    it('matches by internalName and backupPath; the rest are orphans the next backup deletes', () => {
      const match = matchBackups(['base_A', 'base_B', 'base_C'], 'path/16', [sg('one', 'base_A', 'path/16'), sg('other-path', 'base_B', 'path/15')], true);
      assert.deepEqual(match.backups, [
        { name: 'base_A', sgBackup: { name: 'one', namespace: 'demo' }, orphan: false },
        { name: 'base_B', orphan: true, note: 'No SGBackup records this backup: the next backup of the cluster deletes it.' },
        { name: 'base_C', orphan: true, note: 'No SGBackup records this backup: the next backup of the cluster deletes it.' },
      ]);
    });

    it('in a path no cluster writes to any more, nothing deletes orphans', () => {
      const match = matchBackups(['base_A'], 'old', [], false);
      assert.equal(match.backups[0].note, 'No SGBackup records this backup, and no cluster backs up to this path any more: nothing will delete it.');
    });

    it('completed SGBackups whose files are gone are listed as missing; running ones are not', () => {
      const match = matchBackups(['base_A'], 'p', [sg('here', 'base_A', 'p'), sg('gone', 'base_Z', 'p'), sg('running', 'base_Y', 'p', 'Running')], true);
      assert.deepEqual(match.missing, [{ name: 'gone', namespace: 'demo' }]);
    });
  });
});
