// Survey (not a test): runs N schedules against one strategy WITHOUT stopping at the first failure,
// and prints how many violate the property, by kind, with the trace of each failing run.
//   node out/test/model/survey.js [ours|lastWriterWins] [N] [sampleSeed]
//   SURVEY_INDEX=i  only the i-th schedule of the sample;  SURVEY_TRACE=1  traces of passing runs too
//   SURVEY_SCHEDULE='<Schedule as JSON>'  run that one schedule N times (storage seeds seed, seed+1, …)
import fc from "fast-check";
import { startFakeEntra } from "../fakeEntra";
import { FAKE_OPTIONS, MAX_STEPS, SIGN_IN_FLOW, STORAGE, USERS } from "./config";
import { describeSchedule, runSchedule, Schedule, scheduleArbitrary, ViolationKind } from "./schedule";
import { memoizedMetadata, Strategy } from "./windows";

async function main(): Promise<void> {
  const strategy = (process.argv[2] ?? "ours") as Strategy;
  const n = Number(process.argv[3] ?? 100);
  const sampleSeed = Number(process.argv[4] ?? 1);
  const only = process.env.SURVEY_INDEX !== undefined ? Number(process.env.SURVEY_INDEX) : undefined;
  const fake = await startFakeEntra(FAKE_OPTIONS);
  const fetchMetadata = memoizedMetadata();
  const given = process.env.SURVEY_SCHEDULE ? (JSON.parse(process.env.SURVEY_SCHEDULE) as Schedule) : undefined;
  const schedules = given ? Array.from({ length: n }, (_, i) => ({ ...given, seed: given.seed + i })) : fc.sample(scheduleArbitrary(USERS.length, MAX_STEPS), { numRuns: n, seed: sampleSeed });
  const kinds = new Map<ViolationKind, number>();
  let violating = 0;
  let ran = 0;
  const started = Date.now();
  try {
    for (const [i, schedule] of schedules.entries()) {
      if (only !== undefined && i !== only) continue;
      ran++;
      const report = await runSchedule(schedule, { fake, strategy, storage: STORAGE, fetchMetadata, users: USERS, signInFlow: SIGN_IN_FLOW, timeoutMs: 60_000 });
      if (report.violations.length === 0 && !process.env.SURVEY_TRACE) continue;
      if (report.violations.length > 0) violating++;
      for (const kind of new Set(report.violations.map((v) => v.kind))) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      console.log(`===== #${i} ${describeSchedule(schedule, USERS)} (${report.ms} ms)`);
      for (const v of report.violations) console.log(`  ! ${v.kind}: ${v.detail}`);
      console.log(`  ${report.trace.join("\n  ")}\n  -- timeline --\n  ${report.storeTrace.join("\n  ")}\n${report.logs}`);
    }
  } finally {
    await fake.stop();
  }
  console.log(`SURVEY ${strategy}: ${violating} of ${ran} schedules violate the property (${((Date.now() - started) / 1000).toFixed(1)} s, sample seed ${sampleSeed})`);
  for (const [kind, count] of kinds) console.log(`  ${kind}: ${count}`);
}
void main();
