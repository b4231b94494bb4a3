// An esbuild plugin of the kube bundle (dist/kube.js), used by build.mjs and checked by
// test/unit/client/kube/bundle.test.ts.
// The kube bundle uses only client-node's KubeConfig (client/src/kube/clientNode.ts), never `makeApiClient`.
// Its config module imports the generated API's index for `makeApiClient`, which pulled 2.8 MB of API
// classes and models into the bundle and 49 MiB into the extension host: that import gets stand-ins that
// say so if ever called. Its only other use of node-fetch, `Headers` in applyToFetchOptions, is Node's
// own; node-fetch loads whatwg-url and tr46's 260 KB mapping table at start.
const CLIENT_NODE_CONFIG = /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/;
export const clientNodeConfigOnly = {
  name: 'client-node-config-only',
  setup(build) {
    build.onResolve({ filter: /^(\.\/gen\/index\.js|node-fetch)$/ }, (args) => (CLIENT_NODE_CONFIG.test(args.importer) ? { path: args.path, namespace: 'client-node-config-only' } : undefined));
    build.onLoad({ filter: /^\.\/gen\/index\.js$/, namespace: 'client-node-config-only' }, () => ({
      contents: [
        "const absent = () => { throw new Error('client-node API classes are not part of this bundle: make requests through kube/transport.ts'); };",
        'export const createConfiguration = absent;',
        'export class ServerConfiguration { constructor() { absent(); } }',
      ].join('\n'),
      loader: 'js',
    }));
    build.onLoad({ filter: /^node-fetch$/, namespace: 'client-node-config-only' }, () => ({ contents: 'export const Headers = globalThis.Headers;', loader: 'js' }));
  },
};
