/**
 * A fast proof that yaml-language-server would find nothing wrong with a document. Its schema check
 * interprets the JSON schema on every node of a tree it first converts from the `yaml` parse; a clean
 * document of the 1,000-document benchmark spent most of its check there. Here each kind's schema is
 * compiled once into nested closures that walk our own `yaml` parse directly.
 *
 * The closures only answer "certainly clean" or "not proven": any problem, and anything whose treatment
 * by yaml-language-server is not mirrored exactly here (anchors, tags, nulls, duplicate or merge keys,
 * schema keywords not listed below), sends the document to yaml-language-server as before. So what a
 * document is told never changes; only the clean majority skips the slow check (test: cleanProof.test.ts
 * compares both over the corpus and its mutations).
 */
import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
// Loaded first: its validator modules import each other in a cycle that only the package entry resolves.
import 'yaml-language-server';
import { formats } from 'yaml-language-server/out/server/src/languageservice/parser/schemaValidation/baseValidator';
import { safeCreateUnicodeRegExp } from 'yaml-language-server/out/server/src/languageservice/utils/strings';

/** True when yaml-language-server certainly reports nothing for the node under this schema. */
type Check = (node: unknown) => boolean;

const NOT_PROVEN: Check = () => false;

/** Keywords yaml-language-server does not validate with (descriptions, completion hints), and our own `x-`. */
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', 'markdownDescription', 'default', 'examples', 'defaultSnippets',
  'doNotSuggest', 'suggestSortText', 'enumDescriptions', 'markdownEnumDescriptions']);
/** Keywords mirrored below; any other makes the schema unprovable. */
const MIRRORED = new Set(['type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'const', 'format', 'pattern', 'maxLength', 'minimum', 'minItems']);
const TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean']);
/** Formats yaml-language-server checks (others it ignores: int32, int64, int-or-string, ...). */
const CHECKED_FORMATS = new Set(['uri', 'uri-reference', 'color-hex', 'date-time', 'date', 'time', 'email', 'ipv4', 'ipv6']);

type NodeType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean';

/** The node's type as yaml-language-server sees it, or undefined for what is not mirrored (null, alias, tag, anchor). */
function typeOf(node: unknown): NodeType | undefined {
  const n = node as Node | null;
  if (!n || n.tag !== undefined || n.anchor !== undefined) return undefined;
  if (isMap(n)) return 'object';
  if (isSeq(n)) return 'array';
  if (!isScalar(n)) return undefined;
  switch (typeof n.value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isFinite(n.value) ? (Number.isInteger(n.value) ? 'integer' : 'number') : undefined;
    default:
      return undefined;
  }
}

function matches(schemaType: string, t: NodeType): boolean {
  if (schemaType === 'number') return t === 'number' || t === 'integer';
  return schemaType === t;
}

const DIRECTIVE = /^%/m;

const compiled = new WeakMap<object, Check>();

function compile(schema: unknown): Check {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return NOT_PROVEN;
  const known = compiled.get(schema);
  if (known) return known;
  const check = build(schema as Record<string, unknown>);
  compiled.set(schema, check);
  return check;
}

function build(s: Record<string, unknown>): Check {
  for (const key of Object.keys(s)) if (!MIRRORED.has(key) && !ANNOTATIONS.has(key) && !key.startsWith('x-')) return NOT_PROVEN;

  const types = s.type === undefined ? undefined : Array.isArray(s.type) ? s.type : [s.type];
  if (types && !types.every((t) => typeof t === 'string' && TYPES.has(t))) return NOT_PROVEN;
  const primitive = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
  if (s.enum !== undefined && !(Array.isArray(s.enum) && s.enum.every((v) => v !== null && primitive(v)))) return NOT_PROVEN;
  if (s.const !== undefined && (s.const === null || !primitive(s.const))) return NOT_PROVEN;
  const enumValues = s.enum as readonly unknown[] | undefined;

  // Strings.
  const maxLength = s.maxLength;
  if (maxLength !== undefined && typeof maxLength !== 'number') return NOT_PROVEN;
  let pattern: RegExp | undefined;
  if (s.pattern !== undefined) {
    pattern = typeof s.pattern === 'string' ? safeCreateUnicodeRegExp(s.pattern) : undefined;
    if (!pattern) return NOT_PROVEN;
  }
  let format: RegExp | undefined;
  if (typeof s.format === 'string' && CHECKED_FORMATS.has(s.format)) {
    format = (formats as Record<string, { pattern: RegExp } | undefined>)[s.format]?.pattern;
    if (!format) return NOT_PROVEN;
  } else if (s.format !== undefined && typeof s.format !== 'string') return NOT_PROVEN;
  // Numbers and arrays.
  if (s.minimum !== undefined && typeof s.minimum !== 'number') return NOT_PROVEN;
  if (s.minItems !== undefined && typeof s.minItems !== 'number') return NOT_PROVEN;
  const minimum = s.minimum as number | undefined;
  const minItems = s.minItems as number | undefined;
  if (s.items !== undefined && (typeof s.items !== 'object' || s.items === null || Array.isArray(s.items))) return NOT_PROVEN;
  const items = s.items === undefined ? undefined : compile(s.items);
  // Objects.
  if (s.properties !== undefined && (typeof s.properties !== 'object' || s.properties === null)) return NOT_PROVEN;
  const properties = new Map<string, Check>(Object.entries((s.properties ?? {}) as Record<string, unknown>).map(([k, v]) => [k, compile(v)]));
  if (s.required !== undefined && !(Array.isArray(s.required) && s.required.every((r) => typeof r === 'string'))) return NOT_PROVEN;
  const required = (s.required ?? []) as readonly string[];
  const additional = s.additionalProperties;
  if (additional !== undefined && typeof additional !== 'boolean' && (typeof additional !== 'object' || additional === null)) return NOT_PROVEN;
  const additionalCheck = typeof additional === 'object' ? compile(additional) : undefined;
  // As yaml-language-server is configured (disableAdditionalProperties): an object schema lists all its fields.
  const extraAllowed = additional === true || (additional === undefined && s.type !== 'object');

  return (node) => {
    const t = typeOf(node);
    if (t === undefined) return false;
    if (types && !types.some((x) => matches(x as string, t))) return false;
    if (t === 'object') {
      const seen = new Set<string>();
      for (const pair of (node as { items: { key: unknown; value: unknown }[] }).items) {
        const key = pair.key as Node | null;
        if (!isScalar(key) || typeof key.value !== 'string' || key.tag !== undefined || key.anchor !== undefined) return false;
        const name = key.value;
        // Duplicate keys and merge keys are read differently by the two parsers.
        if (name === '<<' || seen.has(name)) return false;
        seen.add(name);
        const check = properties.get(name) ?? additionalCheck;
        if (check) {
          if (!check(pair.value)) return false;
        } else if (!extraAllowed || !plainTree(pair.value)) return false;
      }
      for (const r of required) if (!seen.has(r)) return false;
    } else if (t === 'array') {
      const list = (node as { items: unknown[] }).items;
      if (minItems !== undefined && list.length < minItems) return false;
      for (const item of list) if (items ? !items(item) : !plainTree(item)) return false;
    } else {
      const value = (node as { value: string | number | boolean }).value;
      if (t === 'string') {
        const text = value as string;
        if (maxLength !== undefined && text.length > maxLength) return false;
        if (pattern && !pattern.test(text)) return false;
        if (format && !(text && format.test(text))) return false;
      } else if ((t === 'number' || t === 'integer') && minimum !== undefined && (value as number) < minimum) return false;
      if (enumValues && !enumValues.includes(value)) return false;
      if (s.const !== undefined && value !== s.const) return false;
    }
    if (t === 'object' || t === 'array') {
      if (enumValues || s.const !== undefined) return false;
    }
    return true;
  };
}

/**
 * A value the schema says nothing about: yaml-language-server checks nothing in it, but its parser rejects
 * duplicate keys (ours reads them) and it reports unused anchors.
 */
function plainTree(node: unknown): boolean {
  const n = node as Node | null;
  if (n === null) return true;
  if (n.tag !== undefined || n.anchor !== undefined) return false;
  if (isScalar(n)) return n.value === null || ['string', 'number', 'boolean'].includes(typeof n.value);
  if (isSeq(n)) return n.items.every((item) => item !== null && plainTree(item));
  if (!isMap(n)) return false;
  const seen = new Set<string>();
  for (const pair of n.items) {
    const key = pair.key as Node | null;
    if (!isScalar(key) || typeof key.value !== 'string' || key.tag !== undefined || key.anchor !== undefined) return false;
    if (key.value === '<<' || seen.has(key.value)) return false;
    seen.add(key.value);
    if (!plainTree(pair.value)) return false;
  }
  return true;
}

/**
 * Whether yaml-language-server, checking this parse's text against the schema, certainly reports nothing:
 * no syntax error or warning, no anchor, and every node proven against the schema.
 */
export function provenClean(text: string, doc: Document.Parsed, schema: object | undefined): boolean {
  // A directive (`%YAML 1.1`) could make the two parsers, started with different options, read the text differently.
  if (!schema || doc.errors.length > 0 || doc.warnings.length > 0 || DIRECTIVE.test(text)) return false;
  return compile(schema)(doc.contents);
}
