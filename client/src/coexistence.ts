/**
 * Who answers on StackGres documents when Red Hat YAML is installed too. Red Hat YAML validates, completes
 * and hovers from whatever schema its contributors hand it; the Kubernetes extension hands it the CRD schemas
 * of the connected cluster (its /openapi/v2), so without a decision every StackGres mistake, completion label
 * and hover would come twice. Pure: the settings and what is installed in, the decision out.
 */

export type FeatureMode = 'auto' | 'on' | 'off';

export interface FeatureModes {
  /** `stackgres.validate.schema`: our CRD schema problems (our operator rules and live checks always run). */
  readonly schema: FeatureMode;
  /** `stackgres.completion` */
  readonly completion: FeatureMode;
  /** `stackgres.hover` */
  readonly hover: FeatureMode;
}

export interface Coexistence {
  /**
   * Tell Red Hat YAML that StackGres documents have a schema of ours that asks nothing, so that no other
   * contributor's schema (the Kubernetes extension's) applies to them: Red Hat YAML then reports, completes
   * and hovers nothing there, and every other YAML file keeps what it had.
   */
  readonly claimStackGresDocuments: boolean;
  /** What our language server answers. */
  readonly ours: { readonly schema: boolean; readonly completion: boolean; readonly hover: boolean };
}

export function featureMode(value: unknown): FeatureMode {
  return value === 'on' || value === 'off' ? value : 'auto';
}

export function decideCoexistence(modes: FeatureModes, redHatYamlInstalled: boolean): Coexistence {
  const keys = ['schema', 'completion', 'hover'] as const;
  if (!redHatYamlInstalled) {
    return { claimStackGresDocuments: false, ours: { schema: modes.schema !== 'off', completion: modes.completion !== 'off', hover: modes.hover !== 'off' } };
  }
  // Red Hat YAML's schema drives its validation, completion and hover together: it can be kept off StackGres
  // documents only for all three. A feature turned off is a wish for Red Hat YAML's answer there, so then
  // it keeps the schemas others give it, and `auto` leaves every feature to it too (one answer each);
  // `on` keeps ours as well, knowing both may answer.
  const someOff = keys.some((k) => modes[k] === 'off');
  const ours = (k: (typeof keys)[number]): boolean => modes[k] === 'on' || (modes[k] === 'auto' && !someOff);
  return { claimStackGresDocuments: !someOff, ours: { schema: ours('schema'), completion: ours('completion'), hover: ours('hover') } };
}

/**
 * The label Red Hat YAML's `registerContributor` takes (`key:value`): when a document's text matches, that
 * contributor's schema is the only one used. vscode-yaml turns it into `key:[\t ]+value` with the dots of the
 * value escaped, so the optional quote before the group is written as a regular expression here.
 */
export const STACKGRES_LABEL = `apiVersion:['"]?stackgres.io/`;

/** Whether a document's text holds a StackGres apiVersion (what the label matches, checked by us too). */
export function mentionsStackGres(text: string): boolean {
  return /apiVersion:[\t ]+['"]?stackgres\.io\//.test(text);
}

/** The schema we hand Red Hat YAML for StackGres documents, and its content: nothing to check or offer. */
export const CLAIM_SCHEMA_URI = 'stackgres://schema/checked-by-stackgres';
export const CLAIM_SCHEMA_CONTENT = JSON.stringify({ $comment: 'StackGres documents are checked by the StackGres extension (settings stackgres.validate.schema, stackgres.completion, stackgres.hover).' });
