/**
 * `node --require tsx/cjs test/s3/cli.ts install`: installs Ceph's daemons when missing.
 * `node --require tsx/cjs test/s3/cli.ts check`:   starts RGW, runs the access test as the owner and as the
 *                                                  delete-denied user, prints what happened, stops RGW.
 * Keys stay inside the process: nothing here prints them.
 */
import { randomBytes } from 'node:crypto';
import { accessTestPlan, storageLocation } from '@core/objectStore';
import { testAccess } from '../../client/src/storage/accessTest';
import { s3ObjectStore } from '../../client/src/storage/s3';
import { CEPH_INSTALL_COMMAND, ensureCeph, startRgw } from './rgw';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

async function check(): Promise<boolean> {
  const rgw = await startRgw();
  const stop = (): void => void rgw.stop().then(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    console.log(`RGW ready at ${rgw.endpoint} in ${rgw.startMs} ms, bucket ${rgw.bucket}`);
    const location = storageLocation({ type: 's3Compatible', s3Compatible: { bucket: rgw.bucket, endpoint: rgw.endpoint, region: rgw.region, enablePathStyleAddressing: true } }, 'sgbackups.stackgres.io/check/pg/16');
    if (!location.ok) throw new Error(location.error);
    let expected = true;
    for (const [who, keys, wantOk] of [['owner', rgw.owner, true], ['limited', rgw.limited, false]] as const) {
      const store = s3ObjectStore(rgw.bucket, { endpoint: rgw.endpoint, region: rgw.region, forcePathStyle: true, credentials: keys, type: 's3Compatible' });
      const plan = accessTestPlan(location.value, randomBytes(6).toString('hex'));
      const report = await testAccess(store, plan);
      console.log(`${who}:`);
      for (const r of report.results) console.log(`  ${r.action.padEnd(18)} ${r.outcome.padEnd(8)} ${Math.round(r.durationMs)} ms  ${r.message}`);
      console.log(`  probe object: ${report.probe.state}`);
      if (report.probe.state === 'left-behind') await s3ObjectStore(rgw.bucket, { endpoint: rgw.endpoint, forcePathStyle: true, credentials: rgw.owner }).delete(plan.probeKey);
      expected &&= report.ok === wantOk;
    }
    return expected;
  } finally {
    await rgw.stop();
  }
}

async function main(): Promise<void> {
  const command = process.argv[2];
  if (command === 'install') {
    await ensureCeph();
    console.log('Ceph is installed.');
  } else if (command === 'check') {
    const ok = await check();
    console.log(ok ? 'RGW check passed.' : 'RGW check FAILED: the results above are not what a real S3 gives.');
    process.exitCode = ok ? 0 : 1;
  } else {
    console.error(`usage: node --require tsx/cjs test/s3/cli.ts install|check\n(install runs: ${CEPH_INSTALL_COMMAND})`);
    process.exitCode = 2;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
