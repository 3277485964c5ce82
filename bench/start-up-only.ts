// `node dist/bench/start-up-only.js [sizes...]`: only the start-up rows of npm run bench, for quick checks.
import { certificateCorpus } from './certificate-corpus.js';
import { measureStartUp, nodeFloorMs, warmUpStartUps, type StoreKind } from './daemon-start-up.js';
import { makeTempDir } from '../test/support/temp-dir.js';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const temp = makeTempDir('mpa-bench-start-');
try {
  const corpus = await certificateCorpus(temp.path);
  await warmUpStartUps(temp.path, corpus);
  const floor = await nodeFloorMs();
  console.log(`node -e 0: ${floor.toFixed(1)} ms`);
  // Smallest first for both stores, as npm run bench does.
  for (const count of sizes.length > 0 ? sizes : [1, 10_000, 100_000]) {
    for (const store of ['pem', 'sqlite'] as StoreKind[]) {
      const r = await measureStartUp(temp.path, store, count, corpus);
      console.log(
        `${store} ${String(count).padStart(6)}: listening ${r.listeningMs.toFixed(0)} ms, first ping ${r.firstPingMs.toFixed(0)} ms (${(r.firstPingMs / floor).toFixed(2)}×), RSS@3s ${r.rssMb.toFixed(1)} MB`,
      );
    }
  }
} finally {
  temp.remove();
}
