package io.tenantindex.colo;

import io.tenantindex.colo.AppliedPositions.ReadTicket;
import io.tenantindex.colo.IndexReplica.EncodedEntry;
import io.tenantindex.colo.IndexReplica.EncodedRead;
import io.tenantindex.colo.IndexReplica.Read;
import io.tenantindex.colo.IndexReplica.ReplicaDigest;
import io.tenantindex.colo.IndexReplica.TenantPage;
import io.tenantindex.common.IndexPartitioner;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import io.tenantindex.schemas.TenantRegistration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The read side of one generation's store: lookups (plain and waiting for a consistency token),
 * id-ordered pages merged across partitions, and the content digest ({@link ContentDigests}, kept as
 * records are applied). Reads the running task's store directly where it can ({@link LiveStores}),
 * else through interactive queries.
 */
final class ReplicaReader {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    /** Reads of a partition whose task closed or restarted meanwhile, before a lookup gives up with 503. */
    private static final int READ_ATTEMPTS = 3;
    /** How long {@code /digest} waits for the hashing of stores whose tasks just started (seconds per million entries). */
    private static final Duration HASHING_WAIT = Duration.ofSeconds(10);
    /** What waiting for a partition other than the tenant's yields: nothing is read there. */
    private static final Read APPLIED = new Read(Optional.empty(), false);

    private final String colo;
    private final KafkaStreams streams;
    private final LiveStores liveStores;
    private final ContentDigests digests;
    private final AppliedPositions positions;
    private final AnswerTranscoder transcoder;
    /** Read-your-writes continuations run here, never on the stream thread that completes the waits. */
    private final Executor completions;
    private final AtomicReferenceArray<ReadOnlyKeyValueStore<String, IndexRecord>> stores;
    private volatile int partitions;

    ReplicaReader(String colo, KafkaStreams streams, LiveStores liveStores, ContentDigests digests,
                  AppliedPositions positions, AnswerTranscoder transcoder, Executor completions, int partitions, int storeSlots) {
        this.colo = colo;
        this.streams = streams;
        this.liveStores = liveStores;
        this.digests = digests;
        this.positions = positions;
        this.transcoder = transcoder;
        this.completions = completions;
        this.partitions = partitions;
        this.stores = new AtomicReferenceArray<>(storeSlots);
    }

    int partitions() {
        return partitions;
    }

    /** The topic has (at least) {@code seen} partitions: partitions added to it are read from now on. */
    void partitionsAtLeast(int seen) {
        partitions = Math.max(partitions, seen);
    }

    /**
     * The tenant's registration from this instance's running task of its partition (restored, so
     * caught up), marked behind when that task started below what earlier answers reflected; NOT_READY
     * when no such task runs here (the partition is being restored, revoked, migrated, or its stream
     * thread failed), also when it stopped running during the read.
     */
    Read lookup(String tenantId) {
        return served(tenantId, (p, ticket) -> new Read(registrationOf(tenantId, readServed(p, tenantId)), ticket.behind()));
    }

    /**
     * {@link #lookup}, encoded: transcoded from the value {@link AnswerCache} holds for the tenant,
     * else from the store's (and remembered there); a value {@link AnswerTranscoder} cannot read is
     * decoded instead, and not remembered.
     */
    EncodedRead lookupEncoded(String tenantId) {
        AnswerCache answers = liveStores.answers();
        return served(tenantId, (p, ticket) -> {
            byte[] cached = answers.get(p, tenantId);
            EncodedEntry hit = cached == null ? null : transcoder.transcode(cached);
            if (hit != null) {
                return new EncodedRead(Optional.of(hit), ticket.behind());
            }
            long writes = answers.writes(p);
            IndexRecord stored = readServed(p, tenantId);
            EncodedEntry transcoded = stored == null ? null : transcoder.transcode(stored.raw());
            if (transcoded == null) {
                return new EncodedRead(registrationOf(tenantId, stored).map(EncodedEntry::of), ticket.behind());
            }
            byte[] answered = answers.fill(p, tenantId, writes, stored.raw());
            return new EncodedRead(Optional.of(answered == stored.raw() ? transcoded : transcoder.transcode(answered)), ticket.behind());
        });
    }

    /** What a read of a running task's store may answer: see {@link #served}. */
    private interface ServedRead<T> {
        T read(int partition, ReadTicket ticket);
    }

    /**
     * {@code read} of the tenant's partition while this instance's running task serves it throughout
     * the read; NOT_READY when no such task runs here, also when it stopped running during the reads.
     */
    private <T> T served(String tenantId, ServedRead<T> read) {
        int p = IndexPartitioner.partitionFor(tenantId, partitions);
        for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
            ReadTicket ticket = positions.beginRead(p);
            if (ticket == null) {
                break;
            }
            try {
                T answer = read.read(p, ticket);
                if (positions.endRead(ticket)) {
                    return answer;
                }
            } catch (InvalidStateStoreException closedMeanwhile) {
                // The task closed after we took its store: its position says so on the next attempt.
            }
        }
        throw storeUnavailable("partition " + p + " is not served by a running task of this instance");
    }

    /** Like {@link #lookup}, but also from a restoring store (last-known-good, possibly behind): serve-stale. */
    Read lookupStale(String tenantId) {
        int p = IndexPartitioner.partitionFor(tenantId, partitions);
        TimestampedKeyValueStore<String, IndexRecord> live = liveStores.get(p);
        if (live != null) {
            try {
                return new Read(registrationOf(tenantId, valueOf(live.get(tenantId))), true);
            } catch (InvalidStateStoreException closedMeanwhile) {
                // The task closed after we took its store: ask interactive queries what is hosted here now.
            }
        }
        try {
            return new Read(registrationOf(tenantId, store(p).get(tenantId)), true);
        } catch (InvalidStateStoreException e) {
            throw storeUnavailable("partition " + p + " is not hosted here: " + e.getMessage());
        }
    }

    /**
     * From the store of the partition's running task: its processor's where {@link LiveStores} has
     * room, else through interactive queries, which also return a restoring task's store; the
     * caller's {@link ReadTicket} rules that out.
     */
    private IndexRecord readServed(int partition, String tenantId) {
        TimestampedKeyValueStore<String, IndexRecord> live = liveStores.get(partition);
        return live == null ? activeStore(partition).get(tenantId) : valueOf(live.get(tenantId));
    }

    /**
     * Whether a running task of this instance serves every partition. Cheap (no interactive-query
     * lookup while it is true): it is asked on every lookup.
     */
    boolean allPartitionsLive() {
        return missingPartitions().isEmpty();
    }

    /** The partitions no running task of this instance serves right now. */
    List<Integer> missingPartitions() {
        List<Integer> missing = List.of();
        for (int p = 0; p < partitions; p++) {
            if (p < liveStores.size() ? liveStores.get(p) == null : !activeStoreHosted(p)) {
                if (missing.isEmpty()) {
                    missing = new ArrayList<>();
                }
                missing.add(p);
            }
        }
        return missing;
    }

    /** For partitions added beyond {@link LiveStores}' room: an active store of it runs here. */
    private boolean activeStoreHosted(int partition) {
        try {
            activeStore(partition).approximateNumEntries();
            return true;
        } catch (InvalidStateStoreException e) {
            return false;
        }
    }

    /**
     * The partition's store if an active task of this instance holds it (never a standby): Kafka
     * Streams 4.3 also counts a task restoring in its state updater while the stream thread runs.
     */
    private ReadOnlyKeyValueStore<String, IndexRecord> activeStore(int partition) {
        return streams.store(StoreQueryParameters.fromNameAndType(ColoTopology.STORE,
                QueryableStoreTypes.<String, IndexRecord>keyValueStore()).withPartition(partition));
    }

    /**
     * The lookup once every partition the token names is applied here (the token was decoded for
     * this topic and partition count). The other partitions are only waited for; the tenant's own
     * is waited for last and the answer read while it is served at or past the token's offset.
     */
    CompletableFuture<Read> lookupAtLeast(String tenantId, ConsistencyToken token, Duration maxWait) {
        long deadlineNanos = System.nanoTime() + maxWait.toNanos();
        int own = IndexPartitioner.partitionFor(tenantId, partitions);
        CompletableFuture<Read> chain = CompletableFuture.completedFuture(null);
        for (Map.Entry<Integer, Long> entry : token.offsets().entrySet()) {
            if (entry.getKey() != own) {
                chain = chain.thenCompose(ignored -> atLeast(entry.getKey(), entry.getValue(), deadlineNanos, maxWait, () -> APPLIED));
            }
        }
        Long ownOffset = token.offsets().get(own);
        return ownOffset == null ? chain.thenApply(ignored -> lookup(tenantId))
                : chain.thenCompose(ignored -> atLeast(own, ownOffset, deadlineNanos, maxWait, () -> lookup(tenantId)));
    }

    /**
     * {@code read} once a running task of this instance serves {@code partition} with the record at
     * {@code offset} applied, read while it still does; NOT_READY at once when no task of
     * {@code partition} runs here, NOT_UP_TO_BOUND when the offset was not reached by the deadline.
     */
    private CompletableFuture<Read> atLeast(int partition, long offset, long deadlineNanos, Duration maxWait, Supplier<Read> read) {
        Read now = readAtLeast(partition, offset, read);
        if (now != null) {
            return CompletableFuture.completedFuture(now);
        }
        long remaining = Math.max(0, deadlineNanos - System.nanoTime());
        return positions.awaitApplied(partition, offset)
                .orTimeout(remaining, TimeUnit.NANOSECONDS)
                .handleAsync((applied, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                        if (cause instanceof TimeoutException) {
                            throw new TenantIndexException(ErrorType.NOT_UP_TO_BOUND, "colo " + colo
                                    + " has not applied partition " + partition + " offset " + offset
                                    + " within " + maxWait.toMillis() + " ms (applied: "
                                    + positions.appliedOffset(partition) + ")", RETRY_AFTER, null);
                        }
                        throw new CompletionException(cause);
                    }
                    // Served at the offset when the waiter completed; look again in case that changed since.
                    return atLeast(partition, offset, deadlineNanos, maxWait, read);
                }, completions)
                .thenCompose(next -> next);
    }

    /** {@code read} if {@code partition} is served here at {@code offset} throughout it, null if not (yet). */
    private Read readAtLeast(int partition, long offset, Supplier<Read> read) {
        ReadTicket at = positions.beginRead(partition);
        if (at == null) {
            throw storeUnavailable("partition " + partition + " is not served by a running task of this instance");
        }
        if (at.applied() < offset) {
            return null;
        }
        Read answer = read.get();
        return positions.endRead(at) ? answer : null;
    }

    TenantPage page(String after, int limit) {
        List<KeyValueIterator<String, IndexRecord>> iterators = new ArrayList<>();
        try {
            PriorityQueue<Head> heads = new PriorityQueue<>(Comparator.comparing((Head h) -> h.current.key));
            for (int p = 0; p < partitions; p++) {
                KeyValueIterator<String, IndexRecord> it = after == null ? store(p).all() : store(p).range(after, null);
                iterators.add(it);
                Head h = new Head(it);
                if (h.advance()) {
                    heads.add(h);
                }
            }
            // Each partition's store iterates in key-byte order; tenant ids are ASCII, so merging the
            // partitions by String order yields the global id order.
            List<TenantRegistration> items = new ArrayList<>();
            while (items.size() < limit && !heads.isEmpty()) {
                Head h = heads.poll();
                KeyValue<String, IndexRecord> kv = h.current;
                if (!kv.key.equals(after) && kv.value != null && !kv.value.isPoison()) {
                    items.add(kv.value.registration());
                }
                if (h.advance()) {
                    heads.add(h);
                }
            }
            String next = heads.isEmpty() || items.isEmpty() ? null : items.get(items.size() - 1).getTenantId();
            return new TenantPage(items, next);
        } catch (InvalidStateStoreException e) {
            throw storeUnavailable(e.getMessage());
        } finally {
            iterators.forEach(KeyValueIterator::close);
        }
    }

    /**
     * The content digest as applied so far, read without touching the store; NOT_READY while a
     * partition's task does not run here. Right after tasks started it waits (bounded) for their stores' hashes.
     */
    ReplicaDigest digest() {
        int n = partitions;
        requireDigested(n);
        try {
            digests.hashed(n).get(HASHING_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw storeUnavailable("partitions of this instance are still being hashed after their tasks started");
        } catch (ExecutionException | CancellationException e) {
            // A task stopped while its store was hashed; say which, below.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw storeUnavailable("interrupted waiting for the digest");
        }
        requireDigested(n);
        ReplicaDigest digest = digests.read(n);
        if (digest == null) {
            throw storeUnavailable("partitions of this instance restarted while their digest was taken");
        }
        return digest;
    }

    private void requireDigested(int n) {
        List<Integer> missing = digests.missing(n);
        if (!missing.isEmpty()) {
            throw storeUnavailable("partitions " + missing + " do not run here yet (restoring or moving); "
                    + "a partition's digest is taken once its task runs");
        }
    }

    /** Approximate number of registrations in the store, -1 while it cannot be read. */
    long entries() {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(ColoTopology.STORE,
                    QueryableStoreTypes.<String, IndexRecord>keyValueStore())).approximateNumEntries();
        } catch (InvalidStateStoreException e) {
            return -1;
        }
    }

    /**
     * Whether the client runs every task and every partition's store reads. Applied is not yet
     * queryable: after a restore the state updater has the records in the store a moment before the
     * task runs, and while a restored task moves from the state updater to the stream thread,
     * interactive queries find it in neither.
     */
    boolean allPartitionsQueryable() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return false;
        }
        try {
            for (int p = 0; p < partitions; p++) {
                store(p).approximateNumEntries();
            }
            return true;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    /**
     * The store of one partition through the classic interactive-query API. IQv2 queries are not
     * used: in Kafka Streams 4.3 a query takes the store's position lock and then its store lock
     * while the stream thread's put takes them the other way round, which can deadlock the colo
     * (KAFKA-19629, fixed after 4.3.1). A plain get takes only the store lock. Stale (restoring or
     * standby) stores are allowed: pages and serve-stale lookups, which the routes gate on
     * readiness and the serve-stale setting.
     */
    private ReadOnlyKeyValueStore<String, IndexRecord> store(int partition) {
        // The handle re-resolves the partition's store on every call, so it can be cached across rebalances.
        boolean cacheable = partition < stores.length();
        ReadOnlyKeyValueStore<String, IndexRecord> store = cacheable ? stores.get(partition) : null;
        if (store == null) {
            try {
                store = streams.store(StoreQueryParameters.fromNameAndType(ColoTopology.STORE,
                        QueryableStoreTypes.<String, IndexRecord>keyValueStore()).withPartition(partition).enableStaleStores());
            } catch (InvalidStateStoreException e) {
                throw storeUnavailable("partition " + partition + " of the store is not hosted here yet: " + e.getMessage());
            }
            if (cacheable) {
                stores.set(partition, store);
            }
        }
        return store;
    }

    private TenantIndexException storeUnavailable(String why) {
        return TenantIndexException.notReady("colo " + colo + " replica is not readable right now: " + why, RETRY_AFTER);
    }

    private static IndexRecord valueOf(ValueAndTimestamp<IndexRecord> found) {
        return found == null ? null : found.value();
    }

    private static Optional<TenantRegistration> registrationOf(String tenantId, IndexRecord value) {
        if (value == null) {
            return Optional.empty();
        }
        if (value.isPoison()) {
            throw new TenantIndexException(ErrorType.INTERNAL, "the latest record of tenant '" + tenantId
                    + "' cannot be decoded and was dead-lettered: " + value.error());
        }
        return Optional.of(value.registration());
    }

    private static final class Head {
        final KeyValueIterator<String, IndexRecord> it;
        KeyValue<String, IndexRecord> current;

        Head(KeyValueIterator<String, IndexRecord> it) {
            this.it = it;
        }

        boolean advance() {
            if (it.hasNext()) {
                current = it.next();
                return true;
            }
            return false;
        }
    }
}
