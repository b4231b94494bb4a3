/**
 * The live-values policy: what the connected cluster, as the client pushes it (protocol.ts), adds to
 * completion, hover and the checks, and what a push changes. The server never talks to Kubernetes itself.
 */
import type { Connection } from 'vscode-languageserver/node';
import { kindInfo } from '@core/kinds';
import type { LiveView } from '@core/live';
import type { ReferenceLookup } from '@core/references';
import { LiveCluster } from './liveCluster';
import { ClusterSnapshotNotification, CrdSchemasNotification } from '@core/protocol';
import { CompositeReferenceProvider, WorkspaceReferenceProvider, type ReferenceProvider } from './references';
import type { SchemaChecker } from './schema/schemaChecker';
import type { SchemaStore } from './schema/schemaStore';
import type { WorkspaceIndex } from './workspaceIndex';
import type { YamlService } from './schema/yamlService';

/** What a CRD push changes: the schemas, and the checks that use them. */
export interface SchemaUsers {
  readonly schemas: SchemaStore;
  readonly yaml: YamlService;
  readonly checker: SchemaChecker;
  readonly log: (msg: string) => void;
}

export class LiveValues {
  private readonly live = new LiveCluster();
  /** Names for completion and hover: the cluster's and the workspace's. */
  readonly references: ReferenceProvider;
  /** The workspace check's lookup. */
  readonly workspaceLookup: ReferenceLookup;

  constructor(index: WorkspaceIndex) {
    const live = this.live;
    const references = new CompositeReferenceProvider();
    references.add(live); // first: the cluster's details win over the workspace's
    references.add(new WorkspaceReferenceProvider(index));
    this.references = references;
    // The workspace check stays quiet about objects the connected cluster has.
    this.workspaceLookup = {
      // Secrets are checked key by key against the cluster by the live checks; storages and backups only need to exist.
      find: (kind, name, ns) => (kind === 'Secret' ? index.find(kind, name, ns) : [...index.find(kind, name, ns), ...live.find(kind, name, ns)]),
    };
  }

  /** The live view for the checks, or undefined when not connected. */
  view(): LiveView | undefined {
    return this.live.view();
  }

  /** Takes the client's pushes; after each, `recheck` checks every open document again. */
  listen(connection: Connection, { schemas, yaml, checker, log }: SchemaUsers, recheck: () => void): void {
    const live = this.live;
    connection.onNotification(ClusterSnapshotNotification, (snapshot) => {
      live.update(snapshot);
      recheck();
    });

    connection.onNotification(CrdSchemasNotification, ({ crds }) => {
      for (const { kind, crd } of crds) {
        const outcome = schemas.useCrd(kind, crd);
        yaml.schemaChanged(kind);
        const info = kindInfo(kind);
        // The worker gets the cluster's whole schema: it is the thread that can be stopped (schemaStore.ts).
        if (info) checker.schemaChanged(kind, schemas.clusterText(kind) ?? null);
        log(`${kind}: ${outcome === 'cluster' ? "using the connected cluster's CRD schema" : outcome === 'same' ? "the cluster's CRD matches the bundled schema" : outcome === 'bundled' ? 'using the bundled schema' : outcome}`);
      }
      recheck();
    });
  }
}
