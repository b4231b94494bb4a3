// Label and field selectors with the grammar of the Kubernetes API (labels: =, ==, !=, in, notin,
// exists, !key, >, <; fields: =, ==, !=).
import { badRequest } from './status';
import type { KubeObject, ResourceType } from './resources';

type LabelOp = 'exists' | 'notexists' | 'eq' | 'neq' | 'in' | 'notin' | 'gt' | 'lt';

interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}

export type Matcher = (obj: KubeObject) => boolean;

const KEY = String.raw`[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?`;
const VALUE = String.raw`(?:[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') {
      depth++;
    } else if (ch === ')') {
      depth--;
    }
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  parts.push(cur);
  return parts.map((p) => p.trim());
}

function parseRequirement(part: string): LabelRequirement {
  let m = new RegExp(`^!\\s*(${KEY})$`).exec(part);
  if (m) {
    return { key: m[1], op: 'notexists', values: [] };
  }
  m = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`).exec(part);
  if (m) {
    const values = m[4].split(',').map((v) => v.trim());
    if (values.some((v) => !new RegExp(`^${VALUE}$`).test(v))) {
      throw badRequest(`unable to parse requirement: invalid label value in "${part}"`);
    }
    return { key: m[1], op: m[3] === 'in' ? 'in' : 'notin', values };
  }
  m = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`).exec(part);
  if (m) {
    return { key: m[1], op: m[3] === '!=' ? 'neq' : 'eq', values: [m[4]] };
  }
  m = new RegExp(`^(${KEY})\\s*(>|<)\\s*(-?\\d+)$`).exec(part);
  if (m) {
    return { key: m[1], op: m[3] === '>' ? 'gt' : 'lt', values: [m[4]] };
  }
  m = new RegExp(`^(${KEY})$`).exec(part);
  if (m) {
    return { key: m[1], op: 'exists', values: [] };
  }
  throw badRequest(`unable to parse requirement: found '${part}', expected: key, !key, key=value, key!=value, key in (values) or key notin (values)`);
}

export function parseLabelSelector(selector: string | undefined): Matcher | undefined {
  if (!selector || !selector.trim()) {
    return undefined;
  }
  const reqs = splitTopLevel(selector).map(parseRequirement);
  return (obj) => {
    const labels = obj.metadata.labels ?? {};
    return reqs.every((r) => {
      const has = Object.prototype.hasOwnProperty.call(labels, r.key);
      const v = labels[r.key];
      switch (r.op) {
        case 'exists':
          return has;
        case 'notexists':
          return !has;
        case 'eq':
          return has && v === r.values[0];
        case 'neq':
          return !has || v !== r.values[0];
        case 'in':
          return has && r.values.includes(v);
        case 'notin':
          return !has || !r.values.includes(v);
        case 'gt':
          return has && /^-?\d+$/.test(v) && Number(v) > Number(r.values[0]);
        case 'lt':
          return has && /^-?\d+$/.test(v) && Number(v) < Number(r.values[0]);
      }
      return false;
    });
  };
}

export interface FieldSelectorOptions {
  /** Reject the test-only selectable fields (e.g. SGBackup `spec.sgCluster`) as a real server does. */
  strict: boolean;
}

export function parseFieldSelector(selector: string | undefined, type: ResourceType, opts: FieldSelectorOptions): Matcher | undefined {
  if (!selector || !selector.trim()) {
    return undefined;
  }
  const getters = opts.strict ? type.fieldSelectors : { ...type.fieldSelectors, ...type.extraFieldSelectors };
  const reqs = selector.split(',').map((part) => {
    const m = /^\s*([A-Za-z0-9_.-]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
    if (!m) {
      throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    }
    const getter = getters[m[1]];
    if (!getter) {
      throw badRequest(`field label not supported: ${m[1]}`);
    }
    return { getter, negate: m[2] === '!=', value: m[3] };
  });
  return (obj) => reqs.every((r) => (r.getter(obj) === r.value) !== r.negate);
}

/** The single object name a field selector pins, if any (used to answer watches on one object). */
export function selectedName(selector: string | undefined): string | undefined {
  const m = /(?:^|,)\s*metadata\.name\s*==?\s*([^,]+)/.exec(selector ?? '');
  return m ? m[1].trim() : undefined;
}
