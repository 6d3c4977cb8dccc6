package io.tenantindex.bench;

import java.util.Locale;

/**
 * Warm-up until a JVM's JIT has settled: its C2 compiler keeps a core busy for tens of seconds under
 * a new load, and a measurement taken meanwhile measures the compiler.
 */
final class JitWarmUp {
    static final int ROUND_SECONDS = 5;

    /** One warm-up round: {@value #ROUND_SECONDS} s of the load about to be measured. */
    interface Round {
        void run() throws Exception;
    }

    private JitWarmUp() {
    }

    /**
     * Repeats {@code round} until the C2 threads of {@code pid} used under 5% of a round's wall time
     * (at most 18 rounds); returns the rounds' count and the compiler's share in the last one, for the report.
     */
    static String untilSettled(long pid, String jvm, Round round) throws Exception {
        int rounds = 0;
        double share;
        do {
            long before = Procs.jitCpuTicks(pid);
            round.run();
            share = (Procs.jitCpuTicks(pid) - before) / (double) Procs.TICKS_PER_SECOND / ROUND_SECONDS;
            rounds++;
        } while (share > 0.05 && rounds < 18);
        return String.format(Locale.ROOT, "warm-up: %d × %d s of the same load until the C2 compiler threads of %s used "
                + "< 5%% of a core (last round: %.0f%%)", rounds, ROUND_SECONDS, jvm, share * 100);
    }
}
