// Content negotiation of reads, as the API server does it: `Accept` lists media types in order of
// preference; `as=Table` and `as=PartialObjectMetadata[List]` (group meta.k8s.io) ask for another shape
// of the same objects. Metadata-only forms are how clients read names (e.g. of Secrets) without data.
import type { KubeObject } from './resources';
import { KubeError } from './status';

export type ReadForm = 'full' | 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';

const META_VERSIONS = new Set(['v1', 'v1beta1']);

/**
 * The form to serve for a GET of one object, a list, or a watch; 406 when no media type fits. `tables:
 * false` is an API server that serves no Tables (before Kubernetes 1.15, or some aggregated APIs).
 */
export function negotiate(accept: string | undefined, target: 'object' | 'list' | 'watch', tables = true): ReadForm {
  if (!accept?.trim()) {
    return 'full';
  }
  for (const range of accept.split(',')) {
    const [, ...params] = range.split(';').map((p) => p.trim());
    const p = new Map(params.map((kv) => kv.split('=').map((x) => x.trim()) as [string, string]));
    const as = p.get('as');
    if (!as) {
      return 'full';
    }
    if (p.get('g') !== 'meta.k8s.io' || !META_VERSIONS.has(p.get('v') ?? '')) {
      continue;
    }
    if (as === 'Table' && tables) {
      return 'Table';
    }
    if (as === 'PartialObjectMetadataList' && target === 'list') {
      return as;
    }
    if (as === 'PartialObjectMetadata' && target !== 'list') {
      return as;
    }
  }
  throw new KubeError(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
}

/** An object as `PartialObjectMetadata`: kind, apiVersion and metadata, nothing of spec, status or data. */
export function partialMetadata(o: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

export function partialMetadataList(items: KubeObject[], metadata: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata, items: items.map(partialMetadata) };
}
