import * as assert from 'node:assert/strict';
import {
  checkAccessKeyId,
  checkAzureAccessKey,
  checkCaCertificate,
  checkSecretAccessKey,
  checkServiceAccountKey,
  checkStorageAccount,
  credentialsPlan,
  parseAwsAccessKeyFile,
  selectorsPath,
} from '@core/credentials';

// Test values in AWS's documented example format; not credentials of anything.
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function parseError(text: string): string {
  const r = parseAwsAccessKeyFile(bytes(text));
  assert.equal(r.ok, false, `"${text.slice(0, 40)}" is refused`);
  const error = (r as { error: string }).error;
  assert.equal(error.includes(SECRET) || error.includes(KEY_ID), false, 'the message repeats no value');
  return error;
}

describe('credentials: which Secret an SGObjectStorage reads', () => {
  const s3 = (selectors: unknown, extra: Record<string, unknown> = {}) => ({ spec: { type: 's3', s3: { bucket: 'b', awsCredentials: { secretKeySelectors: selectors, ...extra } } } });

  it('names the Secret and keys of the tutorial\'s s3 storage', () => {
    const plan = credentialsPlan(s3({ accessKeyId: { name: 'creds', key: 'accessKeyId' }, secretAccessKey: { name: 'creds', key: 'secretAccessKey' } }));
    assert.deepEqual(plan, {
      ok: true,
      value: {
        type: 's3',
        selectorsPath: ['spec', 's3', 'awsCredentials', 'secretKeySelectors'],
        secrets: [{ name: 'creds', entries: [{ role: 'accessKeyId', key: 'accessKeyId' }, { role: 'secretAccessKey', key: 'secretAccessKey' }] }],
      },
    });
  });

  it('groups by Secret when the selectors name several', () => {
    const plan = credentialsPlan(s3({ accessKeyId: { name: 'ids', key: 'id' }, secretAccessKey: { name: 'secrets', key: 'secret' } }));
    assert.ok(plan.ok);
    assert.deepEqual(plan.value.secrets.map((s) => [s.name, s.entries.map((e) => e.key)]), [['ids', ['id']], ['secrets', ['secret']]]);
  });

  it('includes the optional CA certificate of s3Compatible when it is referenced', () => {
    const plan = credentialsPlan({
      spec: {
        type: 's3Compatible',
        s3Compatible: { bucket: 'b', awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'm', key: 'a' }, secretAccessKey: { name: 'm', key: 's' }, caCertificate: { name: 'm', key: 'ca.crt' } } } },
      },
    });
    assert.ok(plan.ok);
    assert.deepEqual(plan.value.secrets[0].entries.map((e) => e.role), ['accessKeyId', 'secretAccessKey', 'caCertificate']);
  });

  it('reads gcs and azureBlob selectors, and a missing type as s3Compatible (the operator\'s default)', () => {
    const gcs = credentialsPlan({ spec: { type: 'gcs', gcs: { gcpCredentials: { secretKeySelectors: { serviceAccountJSON: { name: 'g', key: 'sa.json' } } } } } });
    assert.ok(gcs.ok);
    assert.deepEqual(gcs.value.secrets, [{ name: 'g', entries: [{ role: 'serviceAccountJSON', key: 'sa.json' }] }]);
    const azure = credentialsPlan({ spec: { type: 'azureBlob', azureBlob: { azureCredentials: { secretKeySelectors: { storageAccount: { name: 'az', key: 'account' }, accessKey: { name: 'az', key: 'key' } } } } } });
    assert.ok(azure.ok);
    assert.deepEqual(azure.value.secrets[0].entries.map((e) => e.role), ['storageAccount', 'accessKey']);
    assert.deepEqual(selectorsPath({ spec: {} }), ['spec', 's3Compatible', 'awsCredentials', 'secretKeySelectors']);
  });

  it('says why there is nothing to create', () => {
    const error = (v: unknown) => {
      const r = credentialsPlan(v);
      assert.equal(r.ok, false);
      return (r as { error: string }).error;
    };
    assert.match(error(s3(undefined, { useIAMRole: true })), /IAM role/);
    assert.match(error({ spec: { type: 'gcs', gcs: { gcpCredentials: { fetchCredentialsFromMetadataService: true } } } }), /metadata server/);
    assert.match(error({ spec: { type: 'ftp' } }), /spec\.type is not one of s3, s3Compatible, gcs, azureBlob/);
    assert.match(error(s3(undefined)), /spec\.s3\.awsCredentials\.secretKeySelectors is missing: add the accessKeyId and secretAccessKey selectors/);
    assert.match(error(s3({ accessKeyId: { name: 'c' }, secretAccessKey: { name: 'c', key: 's' } })), /accessKeyId has no key/);
    assert.match(error(s3({ accessKeyId: { name: 'c', key: 'k' } })), /secretAccessKey has no name or key/);
    assert.match(error(s3({ accessKeyId: { name: 'c', key: 'k' }, secretAccessKey: { name: 'c', key: 'k' } })), /both name key k of Secret c/);
  });
});

describe('credentials: reading an access key file', () => {
  it('reads what `aws iam create-access-key` prints', () => {
    const file = JSON.stringify({ AccessKey: { UserName: 'backup', AccessKeyId: KEY_ID, Status: 'Active', SecretAccessKey: SECRET, CreateDate: '2026-01-01T00:00:00Z' } }, null, 4);
    assert.deepEqual(parseAwsAccessKeyFile(bytes(file)), { ok: true, value: { accessKeyId: KEY_ID, secretAccessKey: SECRET, format: 'create-access-key JSON', notes: [] } });
  });

  it('reads the bare keys, with a byte order mark and surrounding spaces', () => {
    const r = parseAwsAccessKeyFile(bytes(`\uFEFF {"AccessKeyId": " ${KEY_ID} ", "SecretAccessKey": "${SECRET}"}\n`));
    assert.ok(r.ok);
    assert.deepEqual([r.value.accessKeyId, r.value.secretAccessKey, r.value.format], [KEY_ID, SECRET, 'JSON']);
  });

  it('reads the AWS console\'s CSV (quoted or not, CRLF)', () => {
    const r = parseAwsAccessKeyFile(bytes(`Access key ID,Secret access key\r\n${KEY_ID},${SECRET}\r\n`));
    assert.ok(r.ok);
    assert.deepEqual([r.value.accessKeyId, r.value.secretAccessKey, r.value.format], [KEY_ID, SECRET, 'AWS console CSV']);
    const old = parseAwsAccessKeyFile(bytes(`User name,Password,Access key ID,Secret access key,Console login link\n"backup","","${KEY_ID}","${SECRET}","https://x"\n`));
    assert.ok(old.ok);
    assert.deepEqual([old.value.accessKeyId, old.value.secretAccessKey], [KEY_ID, SECRET]);
  });

  it('notes an inactive key and temporary credentials', () => {
    const inactive = parseAwsAccessKeyFile(bytes(JSON.stringify({ AccessKey: { AccessKeyId: KEY_ID, SecretAccessKey: SECRET, Status: 'Inactive' } })));
    assert.ok(inactive.ok);
    assert.match(inactive.value.notes[0], /Inactive/);
    const temporary = parseAwsAccessKeyFile(bytes(JSON.stringify({ Version: 1, AccessKeyId: 'ASIAIOSFODNN7EXAMPLE', SecretAccessKey: SECRET, SessionToken: 'tok' })));
    assert.ok(temporary.ok);
    assert.match(temporary.value.notes[0], /temporary credentials/);
  });

  it('refuses every other input with a message that repeats no value', () => {
    assert.equal(parseError('   \n'), 'The file is empty.');
    assert.match(parseError(`{"AccessKey": {"AccessKeyId": "${KEY_ID}", "SecretAccessKey": "${SECRET}"`), /not valid JSON/);
    assert.match(parseError('[1, 2]'), /not an object/);
    assert.match(parseError(JSON.stringify({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID }] })), /list-access-keys/);
    assert.match(parseError(JSON.stringify({ AccessKey: { AccessKeyId: KEY_ID } })), /no SecretAccessKey: the secret is printed only once/);
    assert.match(parseError(JSON.stringify({ AccessKey: { SecretAccessKey: SECRET } })), /no AccessKeyId/);
    assert.match(parseError(JSON.stringify({ AccessKeyId: '  ', SecretAccessKey: SECRET })), /no AccessKeyId \(or it is empty\)/);
    assert.match(parseError(JSON.stringify({ user: 'x' })), /no AccessKeyId and SecretAccessKey/);
    assert.match(parseError(JSON.stringify({ type: 'service_account', private_key: SECRET })), /Google Cloud service account key/);
    assert.match(parseError(`[default]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET}\n`), /AWS CLI credentials file/);
    assert.match(parseError(`Name,Key\nx,${SECRET}\n`), /no "Access key ID" and "Secret access key" columns/);
    assert.match(parseError('Access key ID,Secret access key\n'), /header but no access key row/);
    assert.match(parseError(`Access key ID,Secret access key\n${KEY_ID},${SECRET}\n${KEY_ID},${SECRET}\n`), /holds 2 access keys/);
    assert.match(parseError(`Access key ID,Secret access key\n${KEY_ID}\n`), /"Secret access key" column of this CSV is empty/);
    assert.match(parseError(`Access key ID,Secret access key\n,${SECRET}\n`), /"Access key ID" column of this CSV is empty/);
    assert.match(parseError('-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n'), /private key/);
    assert.match(parseError(`${KEY_ID} ${SECRET}\n`), /neither JSON .* nor the CSV/);
  });
});

describe('credentials: typed values', () => {
  it('blocks only empty values; an unusual AWS key id is a warning, S3-compatible ids are free', () => {
    assert.deepEqual(checkAccessKeyId(KEY_ID, 's3'), {});
    assert.match(checkAccessKeyId('  ', 's3').error!, /Enter the access key ID/);
    assert.match(checkAccessKeyId('minioadmin', 's3').warning!, /20 capital letters and digits starting with AKIA/);
    assert.deepEqual(checkAccessKeyId('minioadmin', 's3Compatible'), {});
    assert.match(checkAccessKeyId('ASIAIOSFODNN7EXAMPLE', 's3Compatible').warning!, /temporary/);
    assert.match(checkAccessKeyId('AKIA IOSFODNN7EXAMPLE', 's3Compatible').warning!, /no spaces/);
  });

  it('checks the secret\'s length for AWS only, and never repeats it', () => {
    assert.deepEqual(checkSecretAccessKey(SECRET, 's3'), {});
    assert.match(checkSecretAccessKey('short', 's3').warning!, /40 characters; this one has 5/);
    assert.deepEqual(checkSecretAccessKey('short', 's3Compatible'), {});
    assert.match(checkSecretAccessKey('', 's3').error!, /Enter the secret access key/);
    assert.match(checkSecretAccessKey(` ${SECRET}`, 's3').warning!, /Spaces at the start or end/);
  });

  it('checks Azure account names and keys', () => {
    assert.deepEqual(checkStorageAccount('backups01'), {});
    assert.match(checkStorageAccount('Backups_01').warning!, /3 to 24 lowercase/);
    assert.match(checkStorageAccount('').error!, /Enter the storage account name/);
    assert.deepEqual(checkAzureAccessKey(`${'A'.repeat(86)}==`), {});
    assert.match(checkAzureAccessKey('abc').warning!, /88 base64 characters/);
  });
});

describe('credentials: files stored as they are', () => {
  it('accepts a service account key and names its account', () => {
    const key = JSON.stringify({ type: 'service_account', project_id: 'p', private_key: 'not-a-real-key', client_email: 'backup@p.iam.gserviceaccount.com' });
    assert.deepEqual(checkServiceAccountKey(bytes(key)), { ok: true, value: { clientEmail: 'backup@p.iam.gserviceaccount.com' } });
  });

  it('refuses what is not a service account key', () => {
    const error = (text: string) => (checkServiceAccountKey(bytes(text)) as { error: string }).error;
    assert.equal(error(''), 'The file is empty.');
    assert.match(error('{"type": '), /not valid JSON/);
    assert.match(error('"x"'), /not an object/);
    assert.match(error(JSON.stringify({ AccessKey: { AccessKeyId: KEY_ID } })), /AWS access key/);
    assert.match(error(JSON.stringify({ type: 'authorized_user' })), /your own user credentials/);
    assert.match(error(JSON.stringify({ type: 'external_account' })), /not a service account key/);
    assert.match(error(JSON.stringify({ type: 'service_account', client_email: 'a@b' })), /no private_key/);
  });

  it('accepts PEM certificates and refuses private keys and other files', () => {
    const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    assert.deepEqual(checkCaCertificate(bytes(cert + cert)), { ok: true, value: { certificates: 2 } });
    assert.match((checkCaCertificate(bytes(`${cert}-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n`)) as { error: string }).error, /private key/);
    assert.match((checkCaCertificate(bytes('hello')) as { error: string }).error, /not a PEM certificate/);
  });
});
