/** The language services without LSP, for tests that feed many documents through them. */
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver';
import { ManifestParser } from '../../../server/src/documents';
import type { ReferenceLookup } from '@core/references';
import { SchemaChecker } from '../../../server/src/schema/schemaChecker';
import { SchemaStore } from '../../../server/src/schema/schemaStore';
import { ValidationService } from '../../../server/src/services/validation';
import { YamlService } from '../../../server/src/schema/yamlService';

export const SCHEMAS = path.resolve(__dirname, '../../../schemas');

export class Services {
  readonly schemas = new SchemaStore(SCHEMAS);
  readonly yaml = new YamlService(this.schemas);
  readonly parser = new ManifestParser();
  lookup: ReferenceLookup | undefined;
  readonly validation = new ValidationService(new SchemaChecker(this.yaml, () => undefined), this.schemas, () => this.lookup);
  private n = 0;

  async diagnostics(text: string): Promise<Diagnostic[]> {
    return this.validation.validate(this.parser.parse(`file:///test/${++this.n}.yaml`, 1, text));
  }
}
