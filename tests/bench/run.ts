/**
 * `npm run bench [suite]`: the speed and memory benchmarks (never timed unit tests).
 * Each suite prints its own table; suites are registered below.
 */
import { censusBench } from "./census.bench";
import { tallyBench } from "./tally.bench";
import { verifyBench } from "./verify.bench";

export interface BenchSuite {
  name: string;
  run(): Promise<void>;
}

const suites: BenchSuite[] = [tallyBench, censusBench, verifyBench];

const wanted = process.argv[2];
for (const suite of suites) {
  if (wanted && suite.name !== wanted) continue;
  console.log(`\n## ${suite.name}\n`);
  await suite.run();
}
