package io.tenantindex.common;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads a service starts for its own background work (tailers, drainers, schedulers,
 * completion pools): named, so a thread dump says whose they are, and daemons, so they never keep
 * a JVM alive after its main work or shutdown hook is done.
 */
public final class DaemonThreads {
    private DaemonThreads() {
    }

    /** A daemon thread named {@code name} running {@code body}, not yet started. */
    public static Thread newThread(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    /** Daemon threads named {@code prefix-1}, {@code prefix-2}, … for an executor. */
    public static ThreadFactory factory(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return body -> newThread(prefix + "-" + n.incrementAndGet(), body);
    }
}
