package io.tenantindex.bench;

/** One benchmark of the suite: measures against what the run provides and adds its figures to the run's report. */
interface Benchmark {
    void run(BenchRun run) throws Exception;
}
