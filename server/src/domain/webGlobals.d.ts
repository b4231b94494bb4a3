// The few web-platform globals the core uses. Node and browsers both have them, but they come only with
// the DOM or Node type libraries, which the core does without (tsconfig.json here). Declared as narrowly
// as the core uses them; the root project leaves this file out and takes Node's complete declarations.

interface URL {
  readonly host: string;
  readonly hostname: string;
  readonly protocol: string;
}
declare var URL: { new (url: string, base?: string): URL; prototype: URL };

interface TextDecoder {
  decode(input?: Uint8Array): string;
}
declare var TextDecoder: { new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder; prototype: TextDecoder };

declare function structuredClone<T>(value: T): T;
