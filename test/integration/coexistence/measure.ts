/** What the coexistence probe (in the extension host) and its driver exchange. No vscode import. */

export interface CoexistenceProbeConfig {
  setup: string;
  resultsFile: string;
  /** The StackGres fixture files to measure, in the workspace folder. */
  stackgresFiles: string[];
  /** Whether our extension should register with Red Hat YAML in this setup (the probe waits for it). */
  expectOurContributor: boolean;
  /** The Kubernetes extension has no kubeconfig and waits on its "Kubeconfig not found" prompt: do not wait for it. */
  kubernetesStuck?: boolean;
  /** The kubeconfig the Kubernetes extension was given (to check its API hands that file over). */
  kubernetesKubeconfig?: string;
}

export interface FileMeasure {
  bySource: Record<string, number>;
  /** Problems of other sources on a line where ours reports one: the same mistake twice. */
  repeatedOnOurLines: number;
  /** Of those, the ones with another severity than ours. */
  contradicting: number;
  ours: string[];
  others: string[];
  /** What Red Hat YAML's contributors hand it for the file (Kubernetes: kubernetes://schema/...). */
  schemasFromRedHatYaml?: string[];
}

export interface SetupMeasure {
  setup: string;
  vscodeVersion: string;
  /** `process.version` inside the extension host. */
  nodeVersion?: string;
  extensions: Record<string, string>;
  files: Record<string, FileMeasure>;
  completion?: { labels: number; duplicates: string[] };
  hover?: { count: number; firstLines: string[] };
  plain?: { problems: number; stackgresProblems: number; hoverFromSchema: boolean; completionFromSchema: boolean };
  readyMs?: number;
  totalMs?: number;
  notes: string[];
  /** The Kubernetes extension's API as our contract code reads it from the real extension. */
  contract?: { version?: string; reason?: string; kubeconfig?: string[]; namespaceEvent: boolean; contextEvent: boolean };
  /** Our extension with the Kubernetes extension present: still active, and connected to the sandbox. */
  ourConnection?: { kubernetesActive: boolean; connectedContext?: string; error?: string };
  error?: string;
}
