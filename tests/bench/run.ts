/**
 * `npm run bench [suite]`: the speed and memory benchmarks (never timed unit tests).
 * Each suite prints its own table; suites are registered below.
 */
import { censusBench } from "./census.bench";
import { tallyBench } from "./tally.bench";
import { loadBench } from "./load.bench";
import { floorBench } from "./floor.bench";
import { verifyBench } from "./verify.bench";
import { profileBench } from "./profile.bench";

export interface BenchSuite {
  name: string;
  /** Only when asked for by name (it needs PostgreSQL and a production build). */
  explicitOnly?: boolean;
  run(): Promise<void>;
}

const suites: BenchSuite[] = [tallyBench, censusBench, verifyBench, loadBench, floorBench, profileBench];

const wanted = process.argv[2];
for (const suite of suites) {
  if (wanted ? suite.name !== wanted : suite.explicitOnly) continue;
  console.log(`\n## ${suite.name}\n`);
  await suite.run();
}
