/**
 * The `ObjectStore` of an S3 or S3-compatible bucket: the only file that imports `@aws-sdk/client-s3`.
 * Credentials and the CA certificate are taken in memory and handed to the SDK only: never logged,
 * written, or put in an error message. Every SDK error is translated here, once, into a `StorageError`
 * whose message is the domain's one line for the DBA.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
  StorageClass,
} from '@aws-sdk/client-s3';
import { Agent } from 'node:https';
import type { Readable } from 'node:stream';
import {
  endpointProblem,
  explainStorageFailure,
  FailureContext,
  normalizeBucketRegion,
  StorageAction,
  StorageErrorCode,
  StorageFailure,
  StorageLocation,
  systemFailureCode,
} from '@core/objectStore';
import { GetOptions, ListOptions, ListPage, ObjectHead, ObjectStore, PutOptions, RequestOptions, StorageError } from './objectStore';

export interface S3Keys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface S3Options {
  /** `http(s)://host:port` for S3-compatible services; AWS's own endpoints when absent. */
  readonly endpoint?: string;
  /** Signing region (default us-east-1). */
  readonly region?: string;
  readonly forcePathStyle?: boolean;
  /** PEM of the CA that signed the endpoint's certificate (the Secret's caCertificate value). */
  readonly caCertificate?: string;
  /**
   * The Secret's keys; or, for the command line only, `sdk-default-chain`: the SDK finds them as the AWS CLI
   * does (environment variables, AWS_PROFILE with the shared config and credentials files, SSO, web identity,
   * container or instance roles), so they never pass through our code.
   */
  readonly credentials: S3Keys | 'sdk-default-chain';
  /** Storage class for writes (the SGObjectStorage's storageClass). */
  readonly storageClass?: string;
  /**
   * `WHEN_REQUIRED` for S3-compatible services: RGW 16 and older MinIO reject the SDK's default
   * aws-chunked uploads with trailing checksums (411 MissingContentLength).
   */
  readonly checksums?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
  /** Default per-request time limit in ms (default 15 s). */
  readonly timeoutMs?: number;
  /** Attempts per request, including the first (default 2). */
  readonly maxAttempts?: number;
  /** Names the storage type in messages (TLS advice differs between s3 and s3Compatible). */
  readonly type?: 's3' | 's3Compatible';
  /** The part of the bucket setting after the bucket name, for ARNs in messages. */
  readonly subPath?: string;
}

/** The options for a location, given the Secret's values. */
export function s3OptionsFor(location: StorageLocation, credentials: S3Keys, caCertificate?: string): S3Options {
  const type = location.type === 's3' ? 's3' : 's3Compatible';
  return {
    endpoint: location.endpoint,
    region: location.region,
    forcePathStyle: location.forcePathStyle,
    caCertificate,
    credentials,
    storageClass: location.storageClass,
    checksums: type === 's3Compatible' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
    type,
    subPath: location.subPath,
  };
}

const DEFAULT_TIMEOUT_MS = 15_000;

function failureContext(bucket: string, options: S3Options, action: StorageAction | undefined, timeoutMs: number): FailureContext {
  return {
    action,
    bucket,
    type: options.type ?? (options.endpoint ? 's3Compatible' : 's3'),
    endpoint: options.endpoint,
    region: options.region,
    subPath: options.subPath,
    timeoutMs,
    storageClass: options.storageClass,
  };
}

/** The first line of a message, short: SDK messages can carry whole HTML pages from proxies. */
function shortDetail(message: unknown): string | undefined {
  if (typeof message !== 'string' || message === '') return undefined;
  const line = message.split('\n')[0].trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  Region?: string;
  cause?: { code?: string };
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

/** An SDK or network error as a domain failure. `timedOut` says whether our own time limit fired. */
function failureOf(err: unknown, timedOut: boolean): StorageFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkError;
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return { code: timedOut ? 'Timeout' : 'Aborted' };
  if (e.name === 'CredentialsProviderError') {
    return { code: 'MissingCredentials', detail: 'No AWS credentials were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE to a profile of the shared credentials file (~/.aws/credentials, or AWS_SHARED_CREDENTIALS_FILE) that has keys allowed s3:ListBucket and s3:GetObject on the bucket.' };
  }
  const systemCode = e.code ?? e.cause?.code;
  const system = systemCode ? systemFailureCode(systemCode) : undefined;
  if (system) return { code: system, systemCode };
  const status = e.$metadata?.httpStatusCode;
  const region = e.$response?.headers?.['x-amz-bucket-region'] ?? e.Region;
  let code: StorageErrorCode = e.Code ?? e.name ?? 'Unknown';
  // HEAD answers have no body, so the SDK names them after the status.
  if (code === 'NotFound' || code === '404') code = 'NoSuchKey';
  else if (code === 'Forbidden' || code === '403') code = 'AccessDenied';
  else if (code === '301' || (status === 301 && (code === 'Unknown' || code === 'MovedPermanently'))) code = 'PermanentRedirect';
  return { code, httpStatus: status, region, detail: shortDetail(e.message) };
}

class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  private readonly timeoutMs: number;
  private destroyed = false;

  constructor(
    readonly bucket: string,
    private readonly options: S3Options,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (options.endpoint !== undefined) {
      const problem = endpointProblem(options.endpoint);
      if (problem) throw new StorageError('InvalidEndpoint', problem);
    }
    if (options.credentials !== 'sdk-default-chain' && (!options.credentials.accessKeyId || !options.credentials.secretAccessKey)) {
      throw new StorageError('MissingCredentials', 'The access key ID or the secret access key is empty: check both keys of the Secret.');
    }
    const checksums = options.checksums ?? (options.endpoint ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED');
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      forcePathStyle: options.forcePathStyle ?? false,
      credentials: options.credentials === 'sdk-default-chain' ? undefined : { ...options.credentials },
      requestChecksumCalculation: checksums,
      responseChecksumValidation: checksums,
      maxAttempts: options.maxAttempts ?? 2,
      // Only what the storage says counts: no endpoint from the environment or ~/.aws/config.
      ignoreConfiguredEndpointUrls: true,
      requestHandler: {
        connectionTimeout: Math.min(this.timeoutMs, 10_000),
        requestTimeout: this.timeoutMs,
        httpsAgent: new Agent({ keepAlive: true, ...(options.caCertificate ? { ca: options.caCertificate } : {}) }),
      },
    });
  }

  /** Runs one SDK call under the caller's signal and the time limit, translating any failure. */
  private async call<T>(action: StorageAction | undefined, options: RequestOptions | undefined, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    const timeoutMs = options?.timeoutMs ?? this.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options?.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    if (options?.signal?.aborted || this.destroyed) throw new StorageError('Aborted', 'Cancelled.', action);
    try {
      return await send(signal);
    } catch (err) {
      if (err instanceof StorageError) throw err;
      const failure = failureOf(err, timeout.aborted && !options?.signal?.aborted);
      throw new StorageError(failure.code, explainStorageFailure(failure, failureContext(this.bucket, this.options, action, timeoutMs)), action, failure.httpStatus);
    }
  }

  list(o: ListOptions): Promise<ListPage> {
    return this.call('ListBucket', o, async (abortSignal) => {
      const out = await this.client.send(new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: o.prefix,
        Delimiter: o.delimiter,
        MaxKeys: o.maxKeys,
        ContinuationToken: o.cursor,
        StartAfter: o.startAfter,
      }), { abortSignal });
      return {
        objects: (out.Contents ?? []).map((c) => ({ key: c.Key ?? '', size: c.Size ?? 0, lastModified: c.LastModified })),
        commonPrefixes: (out.CommonPrefixes ?? []).map((p) => p.Prefix ?? ''),
        nextCursor: out.IsTruncated ? out.NextContinuationToken : undefined,
      };
    });
  }

  head(key: string, o?: RequestOptions): Promise<ObjectHead> {
    return this.call('GetObject', o, async (abortSignal) => {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal });
      return { key, size: out.ContentLength ?? 0, lastModified: out.LastModified };
    });
  }

  get(key: string, o: GetOptions): Promise<Buffer> {
    return this.call('GetObject', o, async (abortSignal) => {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal });
      const body = out.Body as Readable | undefined;
      const tooLarge = (): StorageError => {
        body?.destroy();
        return new StorageError('TooLarge', `${key} is larger than ${o.maxBytes} bytes, the most read here.`, 'GetObject');
      };
      if (out.ContentLength !== undefined && out.ContentLength > o.maxBytes) throw tooLarge();
      if (!body) return Buffer.alloc(0);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of body) {
        size += (chunk as Buffer).length;
        if (size > o.maxBytes) throw tooLarge();
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks);
    });
  }

  put(key: string, body: string | Uint8Array, o?: PutOptions): Promise<void> {
    return this.call('PutObject', o, async (abortSignal) => {
      await this.client.send(new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: o?.contentType,
        StorageClass: this.options.storageClass as StorageClass | undefined,
      }), { abortSignal });
    });
  }

  delete(key: string, o?: RequestOptions): Promise<void> {
    return this.call('DeleteObject', o, async (abortSignal) => {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal });
    });
  }

  getBucketLocation(o?: RequestOptions): Promise<string> {
    return this.call('GetBucketLocation', o, async (abortSignal) => {
      const out = await this.client.send(new GetBucketLocationCommand({ Bucket: this.bucket }), { abortSignal });
      return normalizeBucketRegion(out.LocationConstraint);
    });
  }

  /** Closes the SDK's sockets (its keep-alive agents) now rather than when they idle out. */
  destroy(): void {
    this.destroyed = true;
    this.client.destroy();
  }

  /** Used by `prepareBucket` only. */
  async createBucket(policy?: string): Promise<void> {
    await this.call(undefined, undefined, async (abortSignal) => {
      try {
        await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }), { abortSignal });
      } catch (err) {
        if ((err as SdkError).name !== 'BucketAlreadyOwnedByYou') throw err;
      }
      if (policy) await this.client.send(new PutBucketPolicyCommand({ Bucket: this.bucket, Policy: policy }), { abortSignal });
    });
  }
}

/** An `ObjectStore` on one bucket; throws `StorageError` (InvalidEndpoint, MissingCredentials) before any request. */
export function s3ObjectStore(bucket: string, options: S3Options): ObjectStore {
  return new S3ObjectStore(bucket, options);
}

/**
 * Creates a bucket (and sets its policy) for the test tooling, the demo and the benchmark. The extension
 * itself never creates buckets: it shows the AWS CLI commands instead.
 */
export async function prepareBucket(options: S3Options, bucket: string, policy?: string): Promise<void> {
  const store = new S3ObjectStore(bucket, options);
  try {
    await store.createBucket(policy);
  } finally {
    store.destroy();
  }
}
