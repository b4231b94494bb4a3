// Public entry of the Kubernetes-conventions test API server with a simulated StackGres operator.
export { startKubeServer, type KubeServer, type KubeServerOptions, type RequestRecord } from './server';
export type { FaultRule, DelayRule } from './faults';
export type { UserOptions } from './auth';
export type { OperatorOptions } from './operator';
export type { BulkOptions } from './seed';
export type { KubeObject } from './resources';
export { DEFAULT_CRD_DIR } from './crds';
