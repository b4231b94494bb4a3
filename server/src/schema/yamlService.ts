/**
 * The one place that uses yaml-language-server. It validates, completes and hovers a single StackGres
 * document at a time, against the schema of that document's kind: each document is handed over as its own
 * small text (positions relative to the document), so a multi-document file gets the right schema per
 * document and other YAML never reaches it.
 */
import { LineCounter, type Document } from 'yaml';
import { getLanguageService, LanguageService } from 'yaml-language-server';
import { SingleYAMLDocument, YAMLDocument, yamlDocumentsCache } from 'yaml-language-server/out/server/src/languageservice/parser/yaml-documents';
import type { CompletionList, Diagnostic, Hover, Position } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { TextCache } from '../documents';
import { kindInfo, KINDS } from '@core/kinds';
import type { SchemaStore } from './schemaStore';

const SCHEME = 'stackgres-schema';
const DOC_PATH = 'file:///stackgres-documents';
// yaml-language-server caches parsed documents by URI and version in a module-wide cache: versions must
// never repeat across instances.
let documentVersion = 0;
let documentId = 0;

/** Text of the documents kept parsed for hover and completion (their parse trees are several times this). */
export const RECENT_BYTES = 2 * 1024 * 1024;

interface CacheEntry { version: number; document: YAMLDocument; parserOptions: { customTags: string[]; yamlVersion: '1.2' } }
const parseCache = (yamlDocumentsCache as unknown as { cache: Map<string, CacheEntry> }).cache;
const forgetParse = (uri: string) => void parseCache.delete(uri);

export class YamlService {
  private readonly ls: LanguageService;
  private readonly recent: TextCache<TextDocument>;

  constructor(
    private readonly schemas: SchemaStore,
    private readonly recentBytes = RECENT_BYTES,
    /** False makes yaml-language-server parse every document itself (the answers to compare with, in tests). */
    private readonly reuseParse = true,
  ) {
    this.recent = new TextCache<TextDocument>(recentBytes, (key) => key.length, (_, doc) => forgetParse(doc.uri));
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

  /** Schema diagnostics of one document (positions relative to the document). */
  async validate(kind: string, text: string): Promise<Diagnostic[]> {
    // One URI per kind: yaml-language-server's document cache keeps only the latest document of each.
    return this.ls.doValidation(TextDocument.create(`${DOC_PATH}/0/${kind}.yaml`, 'yaml', ++documentVersion, text), false);
  }

  /**
   * Parses a document once for both of us: yaml-language-server keeps the parse in its document cache and
   * `validate` reuses it; our rules read the same `yaml` Document. Undefined when the text does not hold
   * exactly one YAML document. `done` forgets the parse.
   */
  parseShared(kind: string, text: string): { document: Document.Parsed | undefined; validate(): Promise<Diagnostic[]>; done(): void } {
    const handle = TextDocument.create(`${DOC_PATH}/shared/${kind}.yaml`, 'yaml', ++documentVersion, text);
    let parsed: ReturnType<typeof yamlDocumentsCache.getYamlDocument> | undefined;
    try {
      parsed = yamlDocumentsCache.getYamlDocument(handle, { customTags: [], yamlVersion: '1.2' }, true);
    } catch {
      // Its reader recurses through aliases: an alias inside the node it names overflows the stack. The caller
      // reads the document with our parser, which reports that alias.
      forgetParse(handle.uri);
    }
    return {
      document: parsed?.documents.length === 1 ? (parsed.documents[0].internalDocument as Document.Parsed) : undefined,
      validate: () => this.ls.doValidation(handle, false),
      done: () => forgetParse(handle.uri),
    };
  }

  /** `parsed`: our parse of the same text, which spares yaml-language-server its own when it builds the same tree. */
  async complete(kind: string, text: string, position: Position, parsed?: Document.Parsed): Promise<CompletionList> {
    return this.ls.doComplete(this.interactive(kind, text, parsed), position, false);
  }

  async hover(kind: string, text: string, position: Position, parsed?: Document.Parsed): Promise<Hover | null> {
    return this.ls.doHover(this.interactive(kind, text, parsed), position);
  }

  /**
   * Hover and completion come in bursts on the same document: keep its parse (in yaml-language-server's
   * document cache, under a URI of its own) for the documents asked about last, up to RECENT_BYTES of text.
   */
  private interactive(kind: string, text: string, parsed: Document.Parsed | undefined): TextDocument {
    const key = `${kind}\0${text}`;
    const kept = this.recent.get(key);
    if (kept) return kept;
    // Too large to keep: one URI per kind, so its parse replaces the last one instead of piling up.
    const doc = key.length > this.recentBytes
      ? TextDocument.create(`${DOC_PATH}/large/${kind}.yaml`, 'yaml', ++documentVersion, text)
      : TextDocument.create(`${DOC_PATH}/${++documentId}/${kind}.yaml`, 'yaml', ++documentVersion, text);
    if (parsed && this.reuseParse) this.adoptParse(doc, parsed);
    if (key.length <= this.recentBytes) this.recent.set(key, doc);
    return doc;
  }

  /**
   * Most of a hover or completion on a document not asked about before was yaml-language-server parsing it
   * again. Hand it our parse instead, wrapped as its parser wraps its own, where both trees are the same.
   * Our options differ from its parser's only in what is reported (unique keys, strictness, error texts)
   * and in `<<`, which we read as a merge key: a document with one is left to it. With a last line that is
   * not blank its parser counts lines while lexing and keeps the counter, which changes the ranges it
   * computes: that document (at most the last of a file) is left to it too; otherwise its counter is empty.
   */
  private adoptParse(handle: TextDocument, parsed: Document.Parsed): void {
    const text = handle.getText();
    // A blank text it parses as `{}`; a text our parser found several documents in, as several.
    if (text.includes('<<') || !/\S/.test(text) || parsed.errors.some((e) => e.code === 'MULTIPLE_DOCS')) return;
    const lastLine = handle.offsetAt({ line: handle.positionAt(text.length).line, character: 0 });
    if (text.slice(lastLine).trim() !== '') return;
    const single = new SingleYAMLDocument(new LineCounter());
    // Only its parser's tokens give these; yaml-language-server reads them nowhere (it copies them when cloning).
    single.documentHeaderComments = [];
    single.internalDocument = parsed as unknown as SingleYAMLDocument['internalDocument'];
    parseCache.set(handle.uri, { version: handle.version, document: new YAMLDocument([single], []), parserOptions: { customTags: [], yamlVersion: '1.2' } });
    this.reusedParses++;
  }

  /** How many documents hover and completion handed over with our parse (for tests). */
  reusedParses = 0;

  /** Text of the documents kept parsed for hover and completion (for tests). */
  get keptBytes(): number {
    return this.recent.bytes;
  }

  private async loadSchema(uri: string): Promise<string> {
    if (!uri.startsWith(`${SCHEME}://`)) throw new Error(`Unknown schema ${uri}`);
    return this.schemas.text(uri.slice(SCHEME.length + 3));
  }
}
