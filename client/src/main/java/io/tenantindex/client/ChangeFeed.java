package io.tenantindex.client;

import io.tenantindex.protocol.ChangeEvent;
import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One colo's change feed ({@code GET /changes}) kept open, as Server-Sent Events: a snapshot first
 * (unless started from a token), then every change the moment the colo applies it. SSE rather than
 * the NDJSON long-poll because one open stream pushes each change as it comes, where a long-poll
 * pays a request round trip between answers — the latency from a write's ack to the handler is
 * what a router waits for.
 *
 * <p>When the stream ends (the colo stops, a slow-consumer cutoff, an idle stream without even a
 * heartbeat for {@code idleTimeout}) it resumes with the token of the last event it handed on, from
 * the nearest colo that answers: no snapshot, nothing repeated or skipped. A token the colo can no
 * longer serve (410 CHANGES_GONE) or does not accept (400 INVALID_TOKEN) starts a fresh snapshot.
 * On a colo other than the nearest it comes back to the nearest after {@code failbackAfter}.
 *
 * <p>Events reach the {@link Handler} on the feed's own thread ({@code tenant-index-feed}), in
 * order; heartbeats and cutoffs are the feed's business and are not handed on.
 */
public final class ChangeFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

    /** What the feed's events go to. */
    public interface Handler {
        /** A snapshot follows: its entries, then {@code snapshot-end}, replace everything handed on before. */
        void snapshotStarted();

        /** A snapshot entry, snapshot-end, upsert or delete, in the order the colo sent them. */
        void event(ChangeEvent event);
    }

    /** How a stream went: ENDED_EMPTY (answered, then ended before any event) backs off like a colo that did not answer. */
    private enum Outcome { NOT_CONNECTED, ENDED, ENDED_EMPTY, TOKEN_REFUSED }

    private final Failover colos;
    private final Handler handler;
    private final Duration requestTimeout;
    private final Duration idleTimeout;
    private final Duration failbackAfter;
    private final Duration maxBackoff;
    private final LongSupplier nanoClock;
    private final ExecutorService httpThreads = Executors.newCachedThreadPool(DaemonThreads.named("tenant-index-feed-http"));
    private final HttpClient http;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("tenant-index-feed-watchdog"));
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicLong snapshots = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();

    private volatile String token;
    private volatile URI current;
    private volatile InputStream body;
    private volatile boolean live;
    private volatile long connectedNanos;
    private volatile long heardNanos;
    /** While not live: when the feed was last known to hold everything its colo had. */
    private volatile long confirmedNanos;
    private volatile boolean idleAbort;
    private volatile boolean closed;
    /** Events received, cutoffs and heartbeats included; only the feed thread touches it. */
    private long handled;

    private ChangeFeed(Builder b) {
        this.colos = new Failover(b.colos, b.downFor, b.nanoClock);
        this.handler = Objects.requireNonNull(b.handler, "handler");
        this.requestTimeout = b.requestTimeout;
        this.idleTimeout = b.idleTimeout;
        this.failbackAfter = b.failbackAfter;
        this.maxBackoff = b.maxBackoff;
        this.nanoClock = b.nanoClock;
        this.token = b.since;
        this.confirmedNanos = b.nanoClock.getAsLong() - b.staleAtStart.toNanos();
        this.http = HttpClient.newBuilder().connectTimeout(b.connectTimeout).executor(httpThreads).build();
        this.thread = new Thread(this::run, "tenant-index-feed");
        this.thread.setDaemon(true);
    }

    public static Builder builder() {
        return new Builder();
    }

    private ChangeFeed start() {
        thread.start();
        long tick = Math.max(10, Math.min(idleTimeout.toMillis(), failbackAfter.toMillis()) / 4);
        watchdog.scheduleWithFixedDelay(this::watch, tick, tick, TimeUnit.MILLISECONDS);
        return this;
    }

    /** The token of the last event handed on: where the feed resumes. Null before the first snapshot ends. */
    public String token() {
        return token;
    }

    /** The colo the feed streams from now; null while it is connected to none. */
    public URI colo() {
        return live ? current : null;
    }

    /** True while a stream is open past its snapshot (changes arrive as the colo applies them). */
    public boolean isLive() {
        return live;
    }

    /** Snapshots received to their end: 1 for a feed that only ever resumed after its first. */
    public long snapshots() {
        return snapshots.get();
    }

    /** Streams opened (snapshots and resumes). */
    public long connections() {
        return connections.get();
    }

    /**
     * How long the feed has not been confirmed in sync with a colo: zero while a stream is open and
     * has been heard from within {@code idleTimeout}; otherwise the time since it last was.
     */
    public Duration staleness() {
        long now = nanoClock.getAsLong();
        if (live) {
            long heard = heardNanos;
            return now - heard < idleTimeout.toNanos() ? Duration.ZERO : Duration.ofNanos(now - heard);
        }
        return Duration.ofNanos(Math.max(0, now - confirmedNanos));
    }

    private void run() {
        Duration backoff = FIRST_BACKOFF;
        while (!closed) {
            boolean progressed = false;
            for (URI colo : colos.order()) {
                if (closed) {
                    return;
                }
                Outcome outcome = stream(colo);
                if (outcome == Outcome.NOT_CONNECTED) {
                    colos.failed(colo);
                    continue;
                }
                // Ended or refused the token: start over from the nearest colo, at once unless the stream brought nothing.
                progressed = outcome != Outcome.ENDED_EMPTY;
                break;
            }
            if (progressed) {
                backoff = FIRST_BACKOFF;
                continue;
            }
            try {
                if (closing.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
            }
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        }
    }

    private Outcome stream(URI colo) {
        String since = token;
        URI uri = URI.create(colo.toString().replaceAll("/+$", "") + "/changes" + (since == null ? "" : "?since=" + since));
        HttpResponse<InputStream> r;
        try {
            r = http.send(HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").timeout(requestTimeout).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            LOG.debug("change feed of {} unreachable: {}", colo, e.toString());
            return Outcome.NOT_CONNECTED;
        } catch (InterruptedException e) {
            return Outcome.NOT_CONNECTED;
        }
        if (r.statusCode() != 200) {
            return refused(colo, since, r);
        }
        colos.answered(colo);
        connections.incrementAndGet();
        current = colo;
        body = r.body();
        idleAbort = false;
        long now = nanoClock.getAsLong();
        connectedNanos = now;
        heardNanos = now;
        if (since == null) {
            LOG.info("change feed: snapshot from {}", colo);
            handler.snapshotStarted();
        } else {
            LOG.info("change feed: resuming from {} after {}", colo, since);
            live = true;
        }
        long handledBefore = handled;
        try (InputStream in = body) {
            SseReader.read(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), new SseReader.Sink() {
                @Override
                public void heard() {
                    heardNanos = nanoClock.getAsLong();
                }

                @Override
                public boolean event(String type, String id, String data) throws IOException {
                    return handle(ClientJson.MAPPER.readValue(data, ChangeEvent.class));
                }
            });
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.info("change feed from {} ended: {}", colo, e.toString());
            }
        } finally {
            body = null;
            if (live) {
                confirmedNanos = idleAbort ? heardNanos : nanoClock.getAsLong();
                live = false;
            }
        }
        return handled == handledBefore ? Outcome.ENDED_EMPTY : Outcome.ENDED;
    }

    /** Hands one event on; false when the stream is to end (a cutoff: resume with its token). */
    private boolean handle(ChangeEvent event) {
        handled++;
        switch (event.type()) {
            case SNAPSHOT -> handler.event(event);
            case SNAPSHOT_END -> {
                handler.event(event);
                token = event.token();
                snapshots.incrementAndGet();
                live = true;
            }
            case UPSERT, DELETE -> {
                handler.event(event);
                // After the handler: a token never runs ahead of what was handed on.
                token = event.token();
            }
            case HEARTBEAT -> token = event.token() == null ? token : event.token();
            case CUTOFF -> {
                LOG.info("change feed cut off by {} ({}); resuming", current, event.reason());
                token = event.token() == null ? token : event.token();
                return false;
            }
            default -> throw new IllegalStateException("unknown event " + event.type());
        }
        return true;
    }

    private Outcome refused(URI colo, String since, HttpResponse<InputStream> r) {
        String text;
        try (InputStream in = r.body()) {
            text = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        } catch (IOException e) {
            text = "";
        }
        TenantIndexException error = ClientJson.error(r.uri(), r.statusCode(), text, r.headers());
        // 410 Gone is CHANGES_GONE: the token is older than what the colo can replay without missing a delete.
        if (since != null && (r.statusCode() == 410 || error.type() == ErrorType.INVALID_TOKEN)) {
            LOG.warn("change feed of {} refused token {} ({}: {}); taking a fresh snapshot", colo, since, r.statusCode(), error.getMessage());
            colos.answered(colo);
            token = null;
            return Outcome.TOKEN_REFUSED;
        }
        LOG.debug("change feed of {} answered {}: {}", colo, r.statusCode(), error.getMessage());
        return Outcome.NOT_CONNECTED;
    }

    /** Ends a stream that went silent (a half-open connection), or one on a farther colo for longer than failbackAfter. */
    private void watch() {
        InputStream open = body;
        if (open == null) {
            return;
        }
        long now = nanoClock.getAsLong();
        boolean silent = now - heardNanos > idleTimeout.toNanos();
        boolean farther = live && !colos.preferred(current) && now - connectedNanos > failbackAfter.toNanos();
        if (silent || farther) {
            LOG.info("change feed: ending the stream from {} ({})", current, silent ? "silent for " + idleTimeout : "back to the nearest colo");
            idleAbort = silent;
            abort(open);
        }
    }

    /** Closing the body wakes the feed thread's blocked read with an IOException: the stream ends. */
    private static void abort(InputStream open) {
        try {
            open.close();
        } catch (IOException e) {
            LOG.debug("closing the change feed's stream", e);
        }
    }

    /** Ends the stream and stops the feed's threads. */
    @Override
    public void close() {
        closed = true;
        closing.countDown();
        InputStream open = body;
        if (open != null) {
            abort(open);
        }
        // Wakes a connect or a backoff wait.
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watchdog.shutdownNow();
        httpThreads.shutdownNow();
    }

    /** Where the feed comes from and how patient it is. */
    public static final class Builder {
        private List<URI> colos = List.of();
        private Handler handler;
        private String since;
        private Duration staleAtStart = Duration.ZERO;
        private Duration connectTimeout = Duration.ofSeconds(1);
        private Duration requestTimeout = Duration.ofSeconds(5);
        private Duration idleTimeout = Duration.ofSeconds(45);
        private Duration failbackAfter = Duration.ofSeconds(60);
        private Duration downFor = Duration.ofSeconds(5);
        private Duration maxBackoff = Duration.ofSeconds(2);
        private LongSupplier nanoClock = System::nanoTime;

        private Builder() {
        }

        /** The colos' URLs, nearest first. */
        public Builder colos(List<String> urls) {
            this.colos = urls.stream().map(URI::create).toList();
            return this;
        }

        public Builder handler(Handler handler) {
            this.handler = handler;
            return this;
        }

        /** Resume after this token, without a snapshot; null (the default) starts with one. */
        public Builder since(String token) {
            this.since = token;
            return this;
        }

        /** How stale what the handler holds already is at start (a replica loaded from a file of that age). */
        Builder staleAtStart(Duration staleness) {
            this.staleAtStart = staleness;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** Until a colo has answered the request with its headers; the stream itself stays open. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** A stream that sends nothing, not even a heartbeat, for this long is taken as dead (default 45 s; colos beat every 15 s). */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        /** How long the feed stays on a farther colo before it tries the nearest again (default 60 s). */
        public Builder failbackAfter(Duration duration) {
            this.failbackAfter = duration;
            return this;
        }

        /** The longest wait between rounds of reconnects while no colo answers (default 2 s). */
        public Builder maxBackoff(Duration backoff) {
            this.maxBackoff = backoff;
            return this;
        }

        Builder downFor(Duration duration) {
            this.downFor = duration;
            return this;
        }

        Builder nanoClock(LongSupplier clock) {
            this.nanoClock = clock;
            return this;
        }

        /** Starts the feed's thread; events go to the handler from then on. */
        public ChangeFeed start() {
            return new ChangeFeed(this).start();
        }
    }
}
