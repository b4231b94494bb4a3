/**
 * Validation against the SARIF 2.1.0 JSON schema as Microsoft's SARIF SDK publishes it (2.1.0-rtm.5, the
 * schema GitHub code scanning reads), shipped in @microsoft/jest-sarif. It is a draft-04 schema, hence
 * ajv-draft-04.
 */
import { readFileSync } from 'node:fs';
import Ajv from 'ajv-draft-04';

const SCHEMA_FILE = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

const isUri = (s: string, base?: string): boolean => {
  try {
    new URL(s, base);
    return true;
  } catch {
    return false;
  }
};

// unicodeRegExp: one of the schema's patterns (`language`) is not valid with the u flag.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
ajv.addFormat('uri', (s: string) => isUri(s));
ajv.addFormat('uri-reference', (s: string) => isUri(s, 'file:///'));
ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(s) && !Number.isNaN(Date.parse(s)));
const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);

/** The schema's complaints about the log, one line each; empty when valid. */
export function validateSarif(log: unknown): string[] {
  return validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
