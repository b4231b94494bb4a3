// Kubernetes `Status` objects and the errors that carry them. Every failure the test server returns
// goes through here so that clients always see the same shape a real API server sends.

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** Identifies a resource in messages: `sgbackups.stackgres.io` or `secrets`. */
export interface ResourceRef {
  group: string;
  plural: string;
  kind: string;
}

export function qualifiedResource(ref: ResourceRef): string {
  return ref.group ? `${ref.plural}.${ref.group}` : ref.plural;
}

export function qualifiedKind(ref: ResourceRef): string {
  return ref.group ? `${ref.kind}.${ref.group}` : ref.kind;
}

export class KubeError extends Error {
  readonly status: Status;
  /** Extra response headers (Retry-After). */
  readonly headers: Record<string, string>;

  constructor(code: number, reason: string, message: string, details?: StatusDetails, headers: Record<string, string> = {}) {
    super(message);
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
    if (details && Object.keys(details).length > 0) {
      this.status.details = stripEmpty(details);
    }
    this.headers = headers;
  }

  get code(): number {
    return this.status.code;
  }
}

function stripEmpty(details: StatusDetails): StatusDetails {
  const out: StatusDetails = {};
  for (const [k, v] of Object.entries(details)) {
    if (v !== undefined && v !== '') {
      (out as Record<string, unknown>)[k] = v;
    }
  }
  return out;
}

function refDetails(ref: ResourceRef, name?: string): StatusDetails {
  return { name, group: ref.group, kind: ref.plural };
}

export function notFound(ref: ResourceRef, name: string): KubeError {
  return new KubeError(404, 'NotFound', `${qualifiedResource(ref)} "${name}" not found`, refDetails(ref, name));
}

export function namespaceNotFound(namespace: string): KubeError {
  return new KubeError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
}

export function pathNotFound(): KubeError {
  return new KubeError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function alreadyExists(ref: ResourceRef, name: string): KubeError {
  return new KubeError(409, 'AlreadyExists', `${qualifiedResource(ref)} "${name}" already exists`, refDetails(ref, name));
}

export function conflict(ref: ResourceRef, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): KubeError {
  return new KubeError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(ref)} "${name}": ${why}`, refDetails(ref, name));
}

export function badRequest(message: string): KubeError {
  return new KubeError(400, 'BadRequest', message);
}

export function methodNotAllowed(): KubeError {
  return new KubeError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
}

export function unsupportedMediaType(contentType: string): KubeError {
  return new KubeError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${contentType})`);
}

export function unauthorized(): KubeError {
  return new KubeError(401, 'Unauthorized', 'Unauthorized');
}

export function forbidden(ref: ResourceRef, user: string, verb: string, namespace: string | undefined, name?: string): KubeError {
  const subject = name ? `${qualifiedResource(ref)} "${name}"` : qualifiedResource(ref);
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  const message = `${subject} is forbidden: User "${user}" cannot ${verb} resource "${ref.plural}" in API group "${ref.group}" ${scope}`;
  return new KubeError(403, 'Forbidden', message, refDetails(ref, name));
}

export function invalid(ref: ResourceRef, name: string, causes: StatusCause[]): KubeError {
  const lines = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : String(c.message)));
  const summary = lines.length === 1 ? lines[0] : `[${lines.join(', ')}]`;
  return new KubeError(422, 'Invalid', `${qualifiedKind(ref)} "${name}" is invalid: ${summary}`, {
    name,
    group: ref.group,
    kind: ref.kind,
    causes,
  });
}

export function gone(message: string): KubeError {
  return new KubeError(410, 'Expired', message);
}

export function tooManyRequests(retryAfter: number): KubeError {
  return new KubeError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: retryAfter }, {
    'Retry-After': String(retryAfter),
  });
}

export function internalError(message: string): KubeError {
  return new KubeError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/** The Status a fault-injection rule returns for a given code. */
export function injectedError(code: number, retryAfter?: number, message?: string): KubeError {
  if (message !== undefined && code === 403) return new KubeError(403, 'Forbidden', message);
  switch (code) {
    case 401:
      return unauthorized();
    case 403:
      return new KubeError(403, 'Forbidden', 'forbidden: injected fault');
    case 404:
      return new KubeError(404, 'NotFound', 'the server could not find the requested resource (injected fault)');
    case 409:
      return new KubeError(409, 'Conflict', 'Operation cannot be fulfilled: injected fault');
    case 410:
      return gone('too old resource version (injected fault)');
    case 422:
      return new KubeError(422, 'Invalid', 'the request is invalid (injected fault)');
    case 429:
      return tooManyRequests(retryAfter ?? 1);
    case 503:
      return new KubeError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request (injected fault)', {}, retryAfter ? { 'Retry-After': String(retryAfter) } : {});
    default:
      return internalError('injected fault');
  }
}

export function successStatus(details?: StatusDetails): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
  if (details) {
    s.details = stripEmpty(details);
  }
  return s;
}
