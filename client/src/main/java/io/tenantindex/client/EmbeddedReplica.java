package io.tenantindex.client;

import io.tenantindex.protocol.ChangeEvent;
import io.tenantindex.protocol.TenantEntry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole index in the router's heap, kept current by a colo's change feed ({@link ChangeFeed}):
 * {@link #get} is a {@link ConcurrentHashMap} read, and listeners hear every change right after it
 * became visible. While no colo answers it keeps answering from what it last had (last-known-good)
 * and {@link #staleness()} says for how long; it resumes from its token when a colo is back (no new
 * snapshot), and only a token the colo can no longer serve (410) costs a fresh snapshot, read beside
 * the old map and swapped in whole at its end (listeners hear the difference).
 *
 * <p>An event is applied only if its version is at least the one held: a snapshot is read while the
 * colo applies, so it may already hold a change the feed delivers again after it. A delete without
 * a version (0: a tombstone another tool wrote) is always applied.
 *
 * <p>With a snapshot file the replica is written to disk every {@code saveEvery} (when it changed)
 * and on {@link #close()}, and loaded at start, so a restarted router answers at once and resumes
 * from the file's token.
 */
public final class EmbeddedReplica implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedReplica.class);

    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final AtomicLong changes = new AtomicLong();
    private final Interner interner = new Interner();
    private final Path file;
    private final Duration saveEvery;
    private final ScheduledExecutorService saver;
    private volatile ConcurrentHashMap<String, TenantEntry> entries = new ConcurrentHashMap<>();
    /** The snapshot being read; only the feed thread touches it. */
    private ConcurrentHashMap<String, TenantEntry> incoming;
    private ChangeFeed feed;
    /** The token of the last event applied (or of the file loaded): what {@link #entries} holds at least. */
    private volatile String token;
    /** {@link #changes} at the last save; only the saver thread touches it. */
    private long savedChanges = -1;

    private EmbeddedReplica(Builder b) {
        this.file = b.file;
        this.saveEvery = b.saveEvery;
        this.listeners.addAll(b.listeners);
        this.saver = file == null ? null : Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("tenant-index-replica-file"));
    }

    public static Builder builder() {
        return new Builder();
    }

    private EmbeddedReplica start(ChangeFeed.Builder feedBuilder) {
        Optional<SnapshotFile.Content> loaded = load();
        loaded.ifPresent(content -> {
            content.entries().values().forEach(e -> entries.put(e.tenantId(), interner.intern(e)));
            token = content.token();
            entries.values().forEach(e -> tell(ReplicaChange.upsert(e, content.token())));
            ready.countDown();
            LOG.info("embedded replica: {} entries from {} (saved {}), resuming after its token", entries.size(), file, content.savedAt());
        });
        feed = feedBuilder.handler(new Handler())
                .since(loaded.map(SnapshotFile.Content::token).orElse(null))
                .staleAtStart(loaded.map(c -> Duration.between(c.savedAt(), Instant.now())).orElse(Duration.ZERO))
                .start();
        if (saver != null) {
            saver.scheduleWithFixedDelay(this::saveQuietly, saveEvery.toMillis(), saveEvery.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** The tenant's entry as last received; empty when it is not registered (or not yet received). */
    public Optional<TenantEntry> get(String tenantId) {
        return Optional.ofNullable(entries.get(tenantId));
    }

    /** A live read-only view of every entry, tenant id → entry. */
    public Map<String, TenantEntry> asMap() {
        return Collections.unmodifiableMap(entries);
    }

    public int size() {
        return entries.size();
    }

    /** True once it holds a whole index: a snapshot received to its end, or a snapshot file loaded. */
    public boolean isReady() {
        return ready.getCount() == 0;
    }

    /** Waits until {@link #isReady()}; false when {@code timeout} passed first. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** How long the replica has not been confirmed in sync with a colo (zero while its feed is live). */
    public Duration staleness() {
        return feed.staleness();
    }

    /** The feed position the replica holds: where it resumes. */
    public String token() {
        return token;
    }

    /** The colo it streams from now; null while none answers. */
    public URI colo() {
        return feed.colo();
    }

    /** Snapshots it received from a colo (a file load is none): one for a replica that only ever resumed after its first. */
    public long snapshots() {
        return feed.snapshots();
    }

    public void addListener(ChangeListener listener) {
        listeners.add(listener);
    }

    public void removeListener(ChangeListener listener) {
        listeners.remove(listener);
    }

    /** Stops the feed, then writes the snapshot file a last time. */
    @Override
    public void close() {
        feed.close();
        if (saver != null) {
            saver.shutdown();
            try {
                saver.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            saveQuietly();
        }
    }

    private Optional<SnapshotFile.Content> load() {
        if (file == null) {
            return Optional.empty();
        }
        try {
            return SnapshotFile.read(file);
        } catch (IOException | RuntimeException e) {
            LOG.warn("embedded replica: cannot read {} ({}); starting with a snapshot from a colo", file, e.toString());
            return Optional.empty();
        }
    }

    private synchronized void saveQuietly() {
        long seen = changes.get();
        // Token first, then the entries: the file then holds at least what the token says, and a resume repeats the rest harmlessly.
        String at = token;
        if (seen == savedChanges || at == null) {
            return;
        }
        try {
            SnapshotFile.write(file, at, Instant.now(), entries.values());
            savedChanges = seen;
        } catch (IOException | RuntimeException e) {
            LOG.warn("embedded replica: cannot write {}: {}", file, e.toString());
        }
    }

    private void tell(ReplicaChange change) {
        for (ChangeListener listener : listeners) {
            try {
                listener.onChange(change);
            } catch (RuntimeException e) {
                LOG.warn("embedded replica: listener {} failed on {} {}", listener, change.kind(), change.tenantId(), e);
            }
        }
    }

    /** Applies the feed's events; runs on the feed thread only. */
    private final class Handler implements ChangeFeed.Handler {
        @Override
        public void snapshotStarted() {
            incoming = new ConcurrentHashMap<>();
        }

        @Override
        public void event(ChangeEvent event) {
            switch (event.type()) {
                case SNAPSHOT -> incoming.put(event.tenantId(), interner.intern(event.entry()));
                case SNAPSHOT_END -> swapIn(event.token());
                case UPSERT -> upsert(interner.intern(event.entry()), event.token());
                case DELETE -> delete(event.tenantId(), event.version() == null ? 0 : event.version(), event.token());
                default -> throw new IllegalArgumentException("not an event for the replica: " + event.type());
            }
        }

        private void swapIn(String token) {
            Map<String, TenantEntry> old = entries;
            ConcurrentHashMap<String, TenantEntry> fresh = incoming;
            incoming = null;
            entries = fresh;
            EmbeddedReplica.this.token = token;
            changes.incrementAndGet();
            fresh.values().forEach(e -> {
                if (!e.equals(old.get(e.tenantId()))) {
                    tell(ReplicaChange.upsert(e, token));
                }
            });
            old.forEach((id, e) -> {
                if (!fresh.containsKey(id)) {
                    tell(ReplicaChange.delete(id, e.version(), token));
                }
            });
            // Ready once the listeners, too, have heard the whole snapshot.
            ready.countDown();
        }

        private void upsert(TenantEntry entry, String token) {
            TenantEntry held = entries.get(entry.tenantId());
            boolean changed = held == null || (held.version() <= entry.version() && !held.equals(entry));
            if (changed) {
                entries.put(entry.tenantId(), entry);
            }
            // The token moves on either way: the replica holds at least this position now.
            EmbeddedReplica.this.token = token;
            if (changed) {
                changes.incrementAndGet();
                tell(ReplicaChange.upsert(entry, token));
            }
        }

        private void delete(String tenantId, long version, String token) {
            TenantEntry held = entries.get(tenantId);
            // Version 0: a tombstone without a version (written by another tool), applied whatever is held.
            boolean changed = held != null && (version == 0 || held.version() <= version);
            if (changed) {
                entries.remove(tenantId);
            }
            EmbeddedReplica.this.token = token;
            if (changed) {
                changes.incrementAndGet();
                tell(ReplicaChange.delete(tenantId, version, token));
            }
        }
    }

    /** The colos to follow, listeners, the optional snapshot file, and the feed's patience. */
    public static final class Builder {
        private final ChangeFeed.Builder feed = ChangeFeed.builder();
        private final List<ChangeListener> listeners = new ArrayList<>();
        private Path file;
        private Duration saveEvery = Duration.ofSeconds(10);

        private Builder() {
        }

        /** The colos' URLs, nearest first; the feed follows one at a time. */
        public Builder colos(List<String> urls) {
            feed.colos(urls);
            return this;
        }

        /** Told of every change from the start (the first snapshot, or the file's entries, included). */
        public Builder listener(ChangeListener listener) {
            listeners.add(listener);
            return this;
        }

        /** Keeps the replica in {@code file} (written every {@code every} when changed, and on close), loaded at start. */
        public Builder snapshotFile(Path file, Duration every) {
            this.file = file;
            this.saveEvery = every;
            return this;
        }

        /** See {@link ChangeFeed.Builder#idleTimeout(Duration)}. */
        public Builder idleTimeout(Duration timeout) {
            feed.idleTimeout(timeout);
            return this;
        }

        /** See {@link ChangeFeed.Builder#maxBackoff(Duration)}. */
        public Builder maxBackoff(Duration backoff) {
            feed.maxBackoff(backoff);
            return this;
        }

        /** See {@link ChangeFeed.Builder#failbackAfter(Duration)}. */
        public Builder failbackAfter(Duration duration) {
            feed.failbackAfter(duration);
            return this;
        }

        Builder downFor(Duration duration) {
            feed.downFor(duration);
            return this;
        }

        Builder nanoClock(LongSupplier clock) {
            feed.nanoClock(clock);
            return this;
        }

        /** Loads the snapshot file if there is one and starts following the feed. */
        public EmbeddedReplica start() {
            return new EmbeddedReplica(this).start(feed);
        }
    }
}
