/**
 * The one place that uses yaml-language-server. It validates, completes and hovers a single StackGres
 * document at a time, against the schema of that document's kind: each document is handed over as its own
 * small text (positions relative to the document), so a multi-document file gets the right schema per
 * document and other YAML never reaches it.
 */
import type { Document } from 'yaml';
import { getLanguageService, LanguageService } from 'yaml-language-server';
import { yamlDocumentsCache } from 'yaml-language-server/out/server/src/languageservice/parser/yaml-documents';
import type { CompletionList, Diagnostic, Hover, Position } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { kindInfo, KINDS, REMOVED_KINDS } from './domain/kinds';
import type { ManifestBackend } from './documents';
import { kindHint, manifestFromDocument, parseManifest } from './domain/manifest';
import type { SchemaStore } from './schemaStore';

const SCHEME = 'stackgres-schema';
const DOC_PATH = 'file:///stackgres-documents';
// yaml-language-server caches parsed documents by URI and version in a module-wide cache: versions must
// never repeat across instances.
let documentVersion = 0;
let documentId = 0;

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
      schemas: KINDS.map((k) => ({ uri: `${SCHEME}://${k.schemaFile}`, fileMatch: [`stackgres-documents/*/${k.kind}.yaml`], name: k.kind })),
    } as Parameters<LanguageService['configure']>[0]);
  }

  /** Call after the kind's schema changed in the store. */
  schemaChanged(kind: string): void {
    const info = kindInfo(kind);
    if (info) this.ls.resetSchema(`${SCHEME}://${info.schemaFile}`);
  }

  /**
   * Parses a document once for everyone: yaml-language-server keeps the parse in its document cache (under a
   * URI naming the kind the text declares, so its schema applies) and we build our manifest from the same
   * `yaml` Document. Pass the returned `handle` to validate/complete/hover to reuse the parse; `release` it.
   */
  parse(text: string): { handle: TextDocument; document: Document.Parsed | undefined } {
    const handle = TextDocument.create(`${DOC_PATH}/${++documentId}/${kindHint(text) ?? 'unknown'}.yaml`, 'yaml', ++documentVersion, text);
    const parsed = yamlDocumentsCache.getYamlDocument(handle, { customTags: [], yamlVersion: '1.2' }, true);
    return { handle, document: parsed.documents.length === 1 ? (parsed.documents[0].internalDocument as Document.Parsed) : undefined };
  }

  /** Manifests built from the parse shared with yaml-language-server: one parse per document. */
  manifestBackend(): ManifestBackend {
    return {
      parse: (chunk) => {
        // Only StackGres documents are validated by yaml-language-server: the rest get our lighter parse.
        const kind = kindHint(chunk.text);
        if (!kindInfo(kind) && !REMOVED_KINDS[kind ?? '']) return parseManifest(chunk);
        const { handle, document } = this.parse(chunk.text);
        if (document) return manifestFromDocument(chunk, document, handle);
        this.release(handle);
        return parseManifest(chunk);
      },
      release: (m) => this.release(m.handle),
    };
  }

  /** Forgets a parse made by `parse`. */
  release(handle: unknown): void {
    if (handle instanceof Object && 'uri' in handle) (yamlDocumentsCache as unknown as { cache: Map<string, unknown> }).cache.delete((handle as TextDocument).uri);
  }

  async validate(kind: string, text: string, handle?: unknown): Promise<Diagnostic[]> {
    return this.ls.doValidation(this.doc(kind, text, handle), false);
  }

  async complete(kind: string, text: string, position: Position, handle?: unknown): Promise<CompletionList> {
    return this.ls.doComplete(this.doc(kind, text, handle), position, false);
  }

  async hover(kind: string, text: string, position: Position, handle?: unknown): Promise<Hover | null> {
    return this.ls.doHover(this.doc(kind, text, handle), position);
  }

  private doc(kind: string, text: string, handle?: unknown): TextDocument {
    const h = handle as TextDocument | undefined;
    if (h?.uri?.endsWith(`/${kind}.yaml`) && h.getText() === text) return h;
    const doc = TextDocument.create(`${DOC_PATH}/0/${kind}.yaml`, 'yaml', ++documentVersion, text);
    return doc;
  }

  private async loadSchema(uri: string): Promise<string> {
    if (!uri.startsWith(`${SCHEME}://`)) throw new Error(`Unknown schema ${uri}`);
    return this.schemas.text(uri.slice(SCHEME.length + 3));
  }
}
