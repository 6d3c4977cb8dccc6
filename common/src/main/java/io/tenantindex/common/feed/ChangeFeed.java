package io.tenantindex.common.feed;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.Header;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tenantindex.common.DaemonThreads;
import io.tenantindex.protocol.ChangeEvent;
import io.tenantindex.protocol.TenantIndexException;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code GET /changes}: the index as a stream, for a colo and for the writer alike. Without
 * {@code since}, a snapshot in key order then {@code snapshot-end}; with {@code since} (or SSE's
 * {@code Last-Event-ID}), the changes after that position. {@code Accept: text/event-stream} keeps
 * one stream open with live changes and heartbeats; anything else is NDJSON long-poll
 * ({@code wait}, {@code limit}). The wire contract is {@link ChangeEvent}'s.
 *
 * <p>No thread waits for a feed: streams are written with non-blocking output ({@link FeedStream})
 * by whoever has news (one pump thread for ring appends and heartbeats, Jetty's threads when a
 * connection drains), long-polls wait on the ring's next append, and what the ring no longer
 * holds is read from the topic on {@link TopicHistory}'s thread.
 */
public final class ChangeFeed implements AutoCloseable {
    public static final String PATH = "/changes";
    static final String EVENT_STREAM = "text/event-stream";
    static final String NDJSON = "application/x-ndjson";
    private static final int DEFAULT_LIMIT = 1000;
    private static final int MAX_LIMIT = 10_000;

    private final FeedSource source;
    private final ChangeRing ring;
    private final TopicHistory history;
    private final FeedConfig config;
    private final Set<FeedStream> streams = ConcurrentHashMap.newKeySet();
    private final AtomicInteger longPolls = new AtomicInteger();
    private final LongAdder events = new LongAdder();
    private final LongAdder cutoffs = new LongAdder();
    private final ScheduledExecutorService pump;
    private final AtomicBoolean pumpPending = new AtomicBoolean();
    private final Runnable onRingChange = this::schedulePump;

    /** The feed owns {@code history} and closes it. */
    public ChangeFeed(FeedSource source, ChangeRing ring, TopicHistory history, FeedConfig config, MeterRegistry metrics) {
        this.source = source;
        this.ring = ring;
        this.history = history;
        this.config = config;
        this.pump = Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("change-feed-pump"));
        ring.onChange(onRingChange);
        long tick = Math.max(10, config.heartbeat().toMillis() / 4);
        pump.scheduleWithFixedDelay(() -> streams.forEach(FeedStream::heartbeat), tick, tick, TimeUnit.MILLISECONDS);
        Gauge.builder("tenant_index_feeds_open", this, ChangeFeed::open)
                .description("Open GET /changes responses (streams and waiting long-polls)").register(metrics);
        FunctionCounter.builder("tenant_index_feed_events_sent", events, LongAdder::sum)
                .description("Change-feed events written (snapshot entries and changes)").register(metrics);
        FunctionCounter.builder("tenant_index_feed_cutoffs", cutoffs, LongAdder::sum)
                .description("Feeds the server ended with a cutoff (slow consumer, history gone, shutdown)").register(metrics);
    }

    public void register(JavalinConfig c) {
        c.routes.get(PATH, this::changes);
    }

    /** Open streams and waiting long-polls. */
    public int open() {
        return streams.size() + longPolls.get();
    }

    private void changes(Context ctx) {
        source.requireReady();
        String since = Optional.ofNullable(ctx.queryParam("since")).orElse(ctx.header("Last-Event-ID"));
        FeedPosition from = since == null ? null : FeedPosition.decode(since, source.topic(), source.partitions());
        String accept = ctx.header(Header.ACCEPT);
        boolean sse = accept != null && accept.contains(EVENT_STREAM);
        Duration wait = sse ? Duration.ZERO : waitOf(ctx.queryParam("wait"));
        int limit = sse ? MAX_LIMIT : limitOf(ctx.queryParam("limit"));
        ctx.header(Header.CACHE_CONTROL, "no-cache");
        ctx.contentType(sse ? EVENT_STREAM : NDJSON);
        if (sse) {
            // Proxies such as nginx would otherwise hold the events back.
            ctx.header("X-Accel-Buffering", "no");
        }
        if (ctx.method() == HandlerType.HEAD) {
            return;
        }
        if (from == null) {
            ChangeRing.Mark mark = ring.mark();
            stream(ctx, sse, true, FeedPosition.of(source.topic(), mark.offsets()), mark.cursor(), CompletableFuture.completedFuture(null));
        } else if (sse) {
            // A resume the topic cannot serve is a 410 before the stream starts, not a cutoff after.
            CompletableFuture<TopicHistory.Replay> first = ring.read(Long.MAX_VALUE, from, 0) != null
                    ? CompletableFuture.completedFuture(null) : history.read(from, ring.coverage(), MAX_LIMIT);
            stream(ctx, true, false, from, 0, first);
        } else {
            longPoll(ctx, from, limit, System.nanoTime() + wait.toNanos());
        }
    }

    private void stream(Context ctx, boolean sse, boolean snapshot, FeedPosition position, long cursor,
                        CompletableFuture<TopicHistory.Replay> first) {
        ctx.future(() -> first.handle((replayed, error) -> {
            if (error != null) {
                throw unwrap(error);
            }
            CompletableFuture<Void> done = new CompletableFuture<>();
            ServletOutputStream out;
            try {
                out = ctx.res().getOutputStream();
            } catch (IOException e) {
                throw new CompletionException(e);
            }
            FeedStream stream = new FeedStream(this, out, sse, snapshot, position, cursor, replayed, done);
            streams.add(stream);
            ctx.req().getAsyncContext().addListener(new Ended(stream));
            // Jetty calls onWritePossible at once: the stream writes from there.
            out.setWriteListener(stream);
            return done;
        }).thenCompose(done -> done));
    }

    private void longPoll(Context ctx, FeedPosition from, int limit, long deadlineNanos) {
        longPolls.incrementAndGet();
        ctx.future(() -> poll(from, limit, deadlineNanos)
                .thenAccept(ctx::result)
                .whenComplete((v, e) -> longPolls.decrementAndGet()));
    }

    /** The changes after {@code from}, waiting for the first until the deadline; a heartbeat when none came. */
    private CompletableFuture<String> poll(FeedPosition from, int limit, long deadlineNanos) {
        // Taken before reading: an append between the read and the wait still wakes it.
        CompletableFuture<Void> next = ring.nextAppend();
        ChangeRing.Batch batch = ring.read(0, from, limit);
        if (batch == null) {
            return history.read(from, ring.coverage(), limit).thenApply(replay -> {
                String body = ndjson(from, replay.changes());
                for (int p = 0; p < replay.readThrough().length; p++) {
                    from.advance(p, replay.readThrough()[p]);
                }
                // Only markers or undecodable records: the heartbeat moves the client past them.
                return body.isEmpty() ? FeedStream.json(ChangeEvent.heartbeat(from.token())) + "\n" : body;
            });
        }
        if (!batch.changes().isEmpty()) {
            return CompletableFuture.completedFuture(ndjson(from, batch.changes()));
        }
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            return CompletableFuture.completedFuture(FeedStream.json(ChangeEvent.heartbeat(from.token())) + "\n");
        }
        return next.completeOnTimeout(null, remaining, TimeUnit.NANOSECONDS)
                .thenComposeAsync(v -> poll(from, limit, deadlineNanos), pump);
    }

    /** NDJSON lines of the changes after {@code from}, advancing it. */
    private String ndjson(FeedPosition from, List<Change> changes) {
        StringBuilder body = new StringBuilder(changes.size() * 320);
        int count = 0;
        for (Change c : changes) {
            if (from.before(c.partition(), c.offset())) {
                from.advance(c.partition(), c.offset());
                body.append(c.json(from.token())).append('\n');
                count++;
            }
        }
        sent(count);
        return body.toString();
    }

    private static RuntimeException unwrap(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof RuntimeException re ? re : new CompletionException(cause);
    }

    private Duration waitOf(String raw) {
        if (raw == null) {
            return Duration.ZERO;
        }
        long ms = parse(raw, "wait", Long.MAX_VALUE);
        // Capped, not refused: a client asking for longer simply polls again sooner.
        return Duration.ofMillis(Math.min(ms, config.maxWait().toMillis()));
    }

    private static int limitOf(String raw) {
        return raw == null ? DEFAULT_LIMIT : (int) Math.max(1, parse(raw, "limit", MAX_LIMIT));
    }

    private static long parse(String raw, String name, long max) {
        if (!raw.matches("\\d{1,18}")) {
            throw TenantIndexException.badRequest(name + " must be a non-negative integer, got '" + raw + "'");
        }
        long value = Long.parseLong(raw);
        if (value > max) {
            throw TenantIndexException.badRequest(name + " must be at most " + max + ", got " + value);
        }
        return value;
    }

    private void schedulePump() {
        if (pumpPending.compareAndSet(false, true)) {
            pump.execute(() -> {
                pumpPending.set(false);
                streams.forEach(FeedStream::pump);
            });
        }
    }

    /** Pumps {@code stream} on the pump thread (a history read completes on its own thread, which must not write). */
    void pumpLater(FeedStream stream) {
        pump.execute(stream::pump);
    }

    TopicHistory history() {
        return history;
    }

    FeedSource source() {
        return source;
    }

    ChangeRing ring() {
        return ring;
    }

    int maxBehind() {
        return config.maxBehind();
    }

    long heartbeatNanos() {
        return config.heartbeat().toNanos();
    }

    void sent(int count) {
        events.add(count);
    }

    void cutOff() {
        cutoffs.increment();
    }

    void closed(FeedStream stream) {
        streams.remove(stream);
    }

    /** Ends every open stream with a cutoff (its resume token), so clients resume elsewhere or after the restart. */
    @Override
    public void close() {
        ring.removeListener(onRingChange);
        streams.forEach(FeedStream::shutdown);
        pump.shutdownNow();
        history.close();
    }

    /** The response ended from Jetty's side (client gone, error): the stream stops. */
    private record Ended(FeedStream stream) implements AsyncListener {
        @Override
        public void onComplete(AsyncEvent event) {
            stream.onError(null);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            stream.onError(event.getThrowable());
        }

        @Override
        public void onError(AsyncEvent event) {
            stream.onError(event.getThrowable());
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }
}
