package io.tenantindex.launcher;

import io.tenantindex.client.ChangeFeed;
import io.tenantindex.common.Json;
import io.tenantindex.protocol.ChangeEvent;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./tenant-index watch}: a colo's change feed as it happens, one line per change, through the
 * client library's {@link ChangeFeed} (so it resumes where it was when the colo restarts). Without
 * {@code --since} the feed starts with a snapshot, which is summed up in one line, not printed.
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Print a colo's changes as they happen, one line each (Ctrl-C stops).")
final class WatchCommand implements Callable<Integer> {
    @Mixin
    Target target;
    @Option(names = "--colo", defaultValue = "ORD", description = "Colo whose feed to follow (default ORD); 'writer' follows the primary's.")
    String colo;
    @Option(names = "--since", description = "Start after this token (an id printed before, or a write's consistency token): no snapshot.")
    String since;
    @Spec
    CommandSpec spec;

    private int snapshotEntries;

    @Override
    public Integer call() {
        String url = target.readerUrl(colo);
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch forever = new CountDownLatch(1);
        try (ChangeFeed feed = ChangeFeed.builder().colos(List.of(url)).since(since).handler(new ChangeFeed.Handler() {
            @Override
            public void snapshotStarted() {
                snapshotEntries = 0;
            }

            @Override
            public void event(ChangeEvent event) {
                switch (event.type()) {
                    case SNAPSHOT -> snapshotEntries++;
                    case SNAPSHOT_END -> print(out, event, "snapshot of " + snapshotEntries + " entries, token " + event.token());
                    default -> print(out, event, event.type().wireName() + " " + event.tenantId() + " v" + event.version()
                            + " token " + event.token() + (event.entry() == null ? "" : " " + Json.write(event.entry())));
                }
            }
        }).start()) {
            forever.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private void print(PrintWriter out, ChangeEvent event, String line) {
        out.println(target.json ? Json.write(event) : Instant.now() + " " + line);
        out.flush();
    }
}
