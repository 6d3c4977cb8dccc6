package io.tenantindex.client;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon threads named for what they do, so a router's thread dump says which are the client's. */
final class DaemonThreads {
    private DaemonThreads() {
    }

    /** Threads {@code <name>-1}, {@code <name>-2}, …; daemon, so they never keep the JVM up. */
    static ThreadFactory named(String name) {
        AtomicInteger seq = new AtomicInteger();
        return task -> {
            Thread t = new Thread(task, name + "-" + seq.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
