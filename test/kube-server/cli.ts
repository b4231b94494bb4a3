// Starts the test API server standalone:
//   npx tsx test/kube-server/cli.ts --port 8443 --tls --seed demo --kubeconfig-out /tmp/kubeconfig
// Options: --port N, --tls, --seed demo|none, --bulk NAMESPACES:BACKUPS, --time-scale N,
// --step-ms N, --anonymous, --kubeconfig-out FILE, --namespace NS (kubeconfig default), --quiet.
import * as fs from 'node:fs';
import { startKubeServer } from './server';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string): boolean => process.argv.includes(name);

async function main(): Promise<void> {
  const quiet = flag('--quiet');
  const server = await startKubeServer({
    port: Number(arg('--port') ?? 0),
    tls: flag('--tls'),
    seed: arg('--seed') === 'demo' ? 'demo' : 'none',
    timeScale: arg('--time-scale') ? Number(arg('--time-scale')) : 1,
    anonymous: flag('--anonymous'),
    operator: { stepMs: arg('--step-ms') ? Number(arg('--step-ms')) : 1000 },
    log: quiet ? undefined : (line) => process.stdout.write(`${line}\n`),
  });
  const bulk = arg('--bulk');
  if (bulk) {
    const [namespaces, backupsPerNamespace] = bulk.split(':').map(Number);
    server.seed.bulk({ namespaces, backupsPerNamespace });
  }
  const out = arg('--kubeconfig-out');
  if (out) {
    fs.writeFileSync(out, server.kubeconfig({ namespace: arg('--namespace') ?? (arg('--seed') === 'demo' ? 'demo' : undefined) }), { mode: 0o600 });
  }
  process.stdout.write(`kube-server listening on ${server.url} (pid ${process.pid})${out ? `; kubeconfig written to ${out}` : ''}\n`);
  process.stdout.write(`users: ${Object.keys(server.tokens).join(', ')} (contexts stackgres-test, stackgres-test-<user>)\n`);
  const shutdown = (): void => {
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
