/**
 * The one place that uses yaml-language-server. It validates, completes and hovers a single StackGres
 * document at a time, against the schema of that document's kind: each document is handed over as its own
 * small text (positions relative to the document), so a multi-document file gets the right schema per
 * document and other YAML never reaches it.
 */
import { getLanguageService, LanguageService } from 'yaml-language-server';
import type { CompletionList, Diagnostic, Hover, Position } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { kindInfo, KINDS } from './domain/kinds';
import type { SchemaStore } from './schemaStore';

const SCHEME = 'stackgres-schema';
const DOC_PATH = 'file:///stackgres-documents';
// yaml-language-server caches parsed documents by URI and version in a module-wide cache: versions must
// never repeat across instances.
let documentVersion = 0;

export class YamlService {
  private readonly ls: LanguageService;

  constructor(private readonly schemas: SchemaStore) {
    this.ls = getLanguageService({
      schemaRequestService: (uri) => this.loadSchema(uri),
      workspaceContext: { resolveRelativePath: (rel, resource) => new URL(rel, resource).toString() },
    });
    this.ls.configure({
      validate: true,
      hover: true,
      completion: true,
      format: false,
      hoverSchemaSource: false,
      disableAdditionalProperties: true,
      yamlVersion: '1.2',
      // Associations by file match keep yaml-language-server's resolved-schema cache in play (a custom
      // schema provider would re-read and re-resolve the schema for every document).
      schemas: KINDS.map((k) => ({ uri: `${SCHEME}://${k.schemaFile}`, fileMatch: [`stackgres-documents/${k.kind}.yaml`], name: k.kind })),
    } as Parameters<LanguageService['configure']>[0]);
  }

  /** Call after the kind's schema changed in the store. */
  schemaChanged(kind: string): void {
    const info = kindInfo(kind);
    if (info) this.ls.resetSchema(`${SCHEME}://${info.schemaFile}`);
  }

  async validate(kind: string, text: string): Promise<Diagnostic[]> {
    return this.ls.doValidation(this.doc(kind, text), false);
  }

  async complete(kind: string, text: string, position: Position): Promise<CompletionList> {
    return this.ls.doComplete(this.doc(kind, text), position, false);
  }

  async hover(kind: string, text: string, position: Position): Promise<Hover | null> {
    return this.ls.doHover(this.doc(kind, text), position);
  }

  private doc(kind: string, text: string): TextDocument {
    return TextDocument.create(`${DOC_PATH}/${kind}.yaml`, 'yaml', ++documentVersion, text);
  }

  private async loadSchema(uri: string): Promise<string> {
    if (!uri.startsWith(`${SCHEME}://`)) throw new Error(`Unknown schema ${uri}`);
    return this.schemas.text(uri.slice(SCHEME.length + 3));
  }
}
