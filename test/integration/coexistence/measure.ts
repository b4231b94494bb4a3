/** What the coexistence probe (in the extension host) and its driver exchange. No vscode import. */

export interface CoexistenceProbeConfig {
  setup: string;
  resultsFile: string;
  /** The StackGres fixture files to measure, in the workspace folder. */
  stackgresFiles: string[];
  /** Whether our extension should register with Red Hat YAML in this setup (the probe waits for it). */
  expectOurContributor: boolean;
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
  extensions: Record<string, string>;
  files: Record<string, FileMeasure>;
  completion?: { labels: number; duplicates: string[] };
  hover?: { count: number; firstLines: string[] };
  plain?: { problems: number; stackgresProblems: number; hoverFromSchema: boolean; completionFromSchema: boolean };
  readyMs?: number;
  totalMs?: number;
  notes: string[];
  error?: string;
}
