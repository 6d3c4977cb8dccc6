package io.tenantindex.launcher;

/** A one-line terminal progress bar (percent, throughput, ETA); silent when output is JSON. */
final class Progress {
    private static final int WIDTH = 30;
    private final String label;
    private final long total;
    private final boolean quiet;
    private final long started = System.nanoTime();

    Progress(String label, long total, boolean quiet) {
        this.label = label;
        this.total = total;
        this.quiet = quiet;
    }

    void update(long done, long records) {
        if (quiet) {
            return;
        }
        double fraction = Math.min(1.0, (double) done / total);
        double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
        long eta = fraction > 0 ? Math.round(seconds / fraction - seconds) : 0;
        int filled = (int) Math.round(fraction * WIDTH);
        System.out.printf("\r%s [%s%s] %3.0f%%  %,d records  %,.0f rec/s  ETA %ds   ", label, "#".repeat(filled),
                " ".repeat(WIDTH - filled), fraction * 100, records, records / seconds, eta);
        System.out.flush();
    }

    void done() {
        if (!quiet) {
            System.out.println();
        }
    }
}
