package io.tenantindex.writer;

import io.tenantindex.common.DaemonThreads;
import io.tenantindex.common.ShutdownBudget;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import io.tenantindex.schemas.TenantRegistration;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer: one thread owns the transactional producer and the {@link TenantView}.
 * Requests queue up; the thread takes whatever is waiting (up to {@code maxBatch}), checks each
 * against the view and the batch so far (preconditions, next version), and commits the survivors in
 * one Kafka transaction — group commit, so concurrency raises throughput instead of contention.
 * Only after the commit succeeds are the view updated and the callers answered.
 *
 * <p>Roles: the thread is {@link Role#ACTIVE} only while the election ({@link #lead}/{@link #follow})
 * says it leads and it has claimed the transactional id ({@code initTransactions}, which fences
 * every older producer and aborts its open transaction) and then read the topic to its committed
 * end — so versions continue from every committed record. Otherwise it is a {@link Role#STANDBY}
 * that tails the topic into the view, so a promotion reads only what it has not seen yet.
 *
 * <p>Fencing: when another writer with the same transactional.id claims it, our next send or commit
 * fails with {@link ProducerFencedException} or {@link InvalidProducerEpochException}; from then on
 * this writer refuses every write (503 WRITER_FENCED) until the election hands it the lead again
 * (it turns STANDBY when the election takes the lead away). An uncertain outcome (timeout, broker gone)
 * aborts, recreates the producer (which aborts anything left open) and re-reads the topic from
 * the view's position, so the view never misses a committed write and versions never repeat; the
 * writes are then answered by what the topic holds, and tried once more if it does not hold them.
 */
final class IndexWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IndexWriter.class);
    private static final int QUEUE_CAPACITY = 100_000;

    private final String topic;
    private final TenantView view;
    private final Supplier<Producer<String, byte[]>> producerFactory;
    private final RegistrationEncoder values;
    private final TopicReplay replay;
    private final int maxBatch;
    private final LongSupplier clock;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread thread;
    private final ExecutorService acks = Executors.newFixedThreadPool(2, DaemonThreads.factory("index-writer-ack"));
    private final WriterStats stats = new WriterStats();
    private volatile Producer<String, byte[]> producer;
    private volatile boolean running = true;
    private volatile String fencedReason;
    private volatile Role role = Role.STANDBY;
    private volatile boolean leading;
    // Every lead() is a new grant; the writer thread tries each grant until it is active or fenced, never a fenced one again.
    private final AtomicLong grants = new AtomicLong();
    private long servedGrant;
    private final CompletableFuture<Role> settled = new CompletableFuture<>();

    /** What this writer does with a write: commit it, send it to the leader, or refuse it. */
    enum Role { ACTIVE, STANDBY, FENCED }

    /** {@code prepared}: a put's value as far as the request's thread could encode it (null for a delete). */
    private record Pending(WriteCommand command, RegistrationEncoder.Prepared prepared, CompletableFuture<WriteResult> result) {
    }

    /** Counters for /health and /metrics. */
    static final class WriterStats {
        final AtomicLong committed = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong transactions = new AtomicLong();
    }

    /**
     * {@code values} encodes the registrations here rather than in the producer: the view's digest
     * hashes exactly the bytes that go to the topic, as the colos do. Most of a value is encoded on
     * the thread that submits it, so the single writer thread only adds its own three fields.
     */
    IndexWriter(String topic, TenantView view, Supplier<Producer<String, byte[]>> producerFactory,
                RegistrationEncoder values, TopicReplay replay, int maxBatch, LongSupplier clock) {
        this.topic = topic;
        this.view = view;
        this.producerFactory = producerFactory;
        this.values = values;
        this.replay = replay;
        this.maxBatch = maxBatch;
        this.clock = clock;
        this.thread = new Thread(this::run, "index-writer");
    }

    /** Reads the topic to its committed end, then starts the writer thread (a standby until {@link #lead}). */
    void start() {
        replay.catchUp(view);
        thread.start();
    }

    /** The election made this writer the leader: become active (claim the transactional id, catch up). */
    void lead() {
        grants.incrementAndGet();
        leading = true;
    }

    /** The election gave the lead to another writer (or lost track of it): stop accepting writes. */
    void follow() {
        leading = false;
    }

    Role role() {
        return role;
    }

    /** Completes with ACTIVE or FENCED when the first {@link #lead} has been carried out. */
    CompletableFuture<Role> settled() {
        return settled;
    }

    CompletableFuture<WriteResult> submit(WriteCommand command) {
        CompletableFuture<WriteResult> result = new CompletableFuture<>();
        if (role != Role.ACTIVE) {
            result.completeExceptionally(refusal());
            return result.thenApplyAsync(Function.identity(), acks);
        }
        RegistrationEncoder.Prepared prepared;
        try {
            prepared = command instanceof WriteCommand.Put put ? values.prepare(put.request()) : null;
        } catch (TenantIndexException e) {
            result.completeExceptionally(e);
            return result.thenApplyAsync(Function.identity(), acks);
        }
        if (!running || !queue.offer(new Pending(command, prepared, result))) {
            result.completeExceptionally(new TenantIndexException(ErrorType.UNAVAILABLE,
                    "the writer is overloaded or stopping", Duration.ofSeconds(1), null));
        }
        // Callers' continuations (writing the HTTP answer) run on the ack threads, never on the
        // single writer thread, which must go straight back to committing the next batch.
        return result.thenApplyAsync(Function.identity(), acks);
    }

    String fencedReason() {
        return fencedReason;
    }

    WriterStats stats() {
        return stats;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (running) {
            try {
                followTheElection();
                if (role != Role.ACTIVE) {
                    refuseQueued();
                    replay.tail(view, Duration.ofMillis(100));
                    continue;
                }
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                process(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (InterruptException e) {
                break;
            } catch (RuntimeException e) {
                LOG.error("writer loop failed on a batch of {}", batch.size(), e);
                batch.forEach(p -> p.result.completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> p.result.completeExceptionally(new TenantIndexException(ErrorType.UNAVAILABLE, "the writer stopped")));
    }

    private void followTheElection() {
        if (role == Role.ACTIVE && !leading) {
            LOG.info("another writer leads now; this one is a standby");
            role = Role.STANDBY;
            refuseQueued();
            closeProducer(Duration.ofSeconds(1));
        } else if (role == Role.FENCED && !leading) {
            role = Role.STANDBY;
        } else if (role != Role.ACTIVE && leading && servedGrant != grants.get()) {
            promote(grants.get());
        }
    }

    /**
     * Claims the transactional id, which fences any older writer (a paused leader can never commit
     * again) and aborts its open transaction; only then is the committed end final, so the view
     * catches up to it before the first write is accepted.
     */
    private void promote(long grant) {
        long started = System.nanoTime();
        Producer<String, byte[]> claimed = producerFactory.get();
        try {
            claimed.initTransactions();
            long read = replay.catchUp(view);
            producer = claimed;
            servedGrant = grant;
            role = Role.ACTIVE;
            settled.complete(role);
            LOG.info("this writer is active: claimed the transactional id and read {} more records in {} ms", read,
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            servedGrant = grant;
            close(claimed);
            onFenced("fenced while claiming the transactional id (" + e.getClass().getSimpleName() + ")");
        } catch (KafkaException e) {
            // Retried on the next turn of the loop, after another tail.
            LOG.warn("could not become the active writer yet ({}); retrying", e.toString());
            close(claimed);
        }
    }

    private void refuseQueued() {
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> p.result.completeExceptionally(refusal()));
    }

    /** A write this writer will not commit: it is fenced, or a standby (the routes redirect those before they queue). */
    private TenantIndexException refusal() {
        return role == Role.FENCED ? fenced() : new TenantIndexException(ErrorType.UNAVAILABLE,
                "this writer is not the active writer; retry, or send writes to the active one", Duration.ofSeconds(1), null);
    }

    /** A write accepted into the current transaction; {@code encoded}: its value's bytes (null for a tombstone). */
    private record Accepted(Pending pending, String tenantId, TenantRegistration value, byte[] encoded, long version, boolean created) {
    }

    private void process(List<Pending> batch) {
        process(batch, false);
    }

    /** {@code retry}: the batch is being tried again after a transaction that did not commit it. */
    private void process(List<Pending> batch, boolean retry) {
        if (role != Role.ACTIVE) {
            batch.forEach(p -> p.result.completeExceptionally(refusal()));
            return;
        }
        // What the batch has written so far, per tenant: later commands in the batch see earlier ones.
        Map<String, TenantRegistration> batchLive = new HashMap<>();
        Map<String, Long> batchVersions = new HashMap<>();
        List<Accepted> accepted = new ArrayList<>(batch.size());
        long now = clock.getAsLong();
        for (Pending p : batch) {
            String id = p.command.tenantId();
            TenantRegistration current = batchVersions.containsKey(id) ? batchLive.get(id) : view.get(id);
            long last = batchVersions.containsKey(id) ? batchVersions.get(id) : view.lastVersion(id);
            try {
                p.command.precondition().check(id, current == null ? 0 : current.getVersion());
                Accepted a = p.command instanceof WriteCommand.Put put
                        ? acceptPut(p, put, current, last, now)
                        : acceptDelete(p, (WriteCommand.Delete) p.command, current);
                accepted.add(a);
                batchLive.put(id, a.value);
                batchVersions.put(id, a.version);
            } catch (TenantIndexException e) {
                stats.rejected.incrementAndGet();
                p.result.completeExceptionally(e);
            }
        }
        if (!accepted.isEmpty()) {
            commit(accepted, retry);
        }
    }

    private Accepted acceptPut(Pending p, WriteCommand.Put put, TenantRegistration current, long lastVersion, long now) {
        RegistrationRequest req = put.request();
        long version = lastVersion + 1;
        long registeredAt = current == null ? now : current.getRegisteredAt();
        TenantRegistration value = new TenantRegistration(req.tenantId(), p.prepared.doId(), req.coloHint(), version,
                registeredAt, now, req.metadata());
        return new Accepted(p, req.tenantId(), value, RegistrationEncoder.complete(p.prepared, version, registeredAt, now),
                version, current == null);
    }

    private Accepted acceptDelete(Pending p, WriteCommand.Delete del, TenantRegistration current) {
        if (current == null) {
            throw new TenantIndexException(ErrorType.TENANT_NOT_FOUND, "tenant " + del.tenantId() + " is not registered");
        }
        return new Accepted(p, del.tenantId(), null, null, current.getVersion(), false);
    }

    private ProducerRecord<String, byte[]> record(Accepted a) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(TopicReplay.VERSION_HEADER, ByteBuffer.allocate(Long.BYTES).putLong(a.version).array());
        return new ProducerRecord<>(topic, view.partitionOf(a.tenantId), a.tenantId, a.encoded, headers);
    }

    private void commit(List<Accepted> accepted, boolean retry) {
        List<Future<RecordMetadata>> sends = new ArrayList<>(accepted.size());
        try {
            producer.beginTransaction();
            for (Accepted a : accepted) {
                sends.add(producer.send(record(a)));
            }
            producer.commitTransaction();
            stats.transactions.incrementAndGet();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            onFenced(accepted, e);
            return;
        } catch (KafkaException e) {
            if (isFencing(e)) {
                onFenced(accepted, e);
                return;
            }
            onUncertainOutcome(accepted, e, retry);
            return;
        }
        for (int i = 0; i < accepted.size(); i++) {
            Accepted a = accepted.get(i);
            RecordMetadata md = metadata(sends.get(i));
            view.apply(a.tenantId, a.value, a.encoded, a.version, md.partition(), md.offset());
            answer(a, md.partition(), md.offset());
        }
    }

    /** {@code offset}: of the write's record in {@code partition}, or any later one there (its token is then stricter, never wrong). */
    private void answer(Accepted a, int partition, long offset) {
        stats.committed.incrementAndGet();
        a.pending.result.complete(new WriteResult(a.value, a.version, a.created,
                ConsistencyToken.of(topic, view.partitions(), partition, offset)));
    }

    private static RecordMetadata metadata(Future<RecordMetadata> send) {
        try {
            // The commit succeeded, so every send of the transaction has completed.
            return send.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading the metadata of a committed send", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a send failed inside a committed transaction", e.getCause());
        }
    }

    private static boolean isFencing(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    private void onFenced(List<Accepted> accepted, KafkaException e) {
        onFenced("fenced by another writer with the same transactional.id (" + e.getClass().getSimpleName() + ")");
        closeProducer(Duration.ZERO);
        stats.failed.addAndGet(accepted.size());
        accepted.forEach(a -> a.pending.result.completeExceptionally(fenced()));
    }

    private void onFenced(String reason) {
        fencedReason = reason;
        role = Role.FENCED;
        settled.complete(role);
        LOG.error("this writer has been {}; it refuses all writes until the election makes it the leader again", reason);
    }

    /**
     * The transaction may or may not have committed (timeout, broker restart, a coordinator that lost
     * track of it). Abort if we still can, start a fresh producer (initTransactions aborts whatever
     * is left open) and catch the view up from the topic: then the outcome is known, and whatever did
     * commit is counted exactly once. Writes it committed are answered as committed; writes it did
     * not are tried once more, so a broker hiccup costs their callers latency rather than a 503.
     * If that first recovery fails too (Kafka is away), the callers get their 503 at once and the
     * writer keeps recovering without them.
     */
    private void onUncertainOutcome(List<Accepted> accepted, KafkaException e, boolean retried) {
        LOG.warn("transaction of {} writes failed ({}); recovering the producer and re-reading the topic", accepted.size(), e.toString());
        try {
            producer.abortTransaction();
        } catch (RuntimeException abortError) {
            LOG.debug("abort after a failed transaction", abortError);
        }
        if (!tryRecover()) {
            refuse(accepted, e);
            recover();
        } else if (committed(accepted.get(0))) {
            LOG.info("the failed transaction had committed; answering its {} writes", accepted.size());
            accepted.forEach(a -> answer(a, view.partitionOf(a.tenantId), view.lastAppliedOffset(view.partitionOf(a.tenantId))));
        } else if (!retried) {
            LOG.info("the failed transaction did not commit; trying its {} writes once more", accepted.size());
            process(accepted.stream().map(Accepted::pending).toList(), true);
        } else {
            refuse(accepted, e);
        }
    }

    /**
     * Whether the caught-up view holds {@code a}: a transaction commits all its writes or none, so
     * one tells for the batch. A put gave the tenant a version no record had; a delete removed a
     * live tenant at that version (a later write of the batch can only have raised it).
     */
    private boolean committed(Accepted a) {
        if (a.value != null) {
            return view.lastVersion(a.tenantId) >= a.version;
        }
        TenantRegistration now = view.get(a.tenantId);
        return now == null || now.getVersion() > a.version;
    }

    private void refuse(List<Accepted> accepted, KafkaException e) {
        stats.failed.addAndGet(accepted.size());
        TenantIndexException failure = new TenantIndexException(ErrorType.UNAVAILABLE,
                "the write was not acknowledged by Kafka: " + e.getMessage(), Duration.ofSeconds(1), e);
        accepted.forEach(a -> a.pending.result.completeExceptionally(failure));
    }

    /** Retries {@link #tryRecover} until it succeeds, this writer stops, loses the lead (the loop then makes it a standby) or is fenced. */
    private void recover() {
        while (running && leading && role != Role.FENCED && !tryRecover()) {
            // tryRecover has logged why; Kafka's own timeouts pace the attempts.
        }
    }

    /**
     * One attempt at a fresh producer that has claimed the transactional id, with the view caught up
     * to the committed end; false when it failed (logged) or found this writer fenced.
     */
    private boolean tryRecover() {
        try {
            producer.close(Duration.ofSeconds(5));
            producer = producerFactory.get();
            producer.initTransactions();
            replay.catchUp(view);
            LOG.info("writer recovered; accepting writes again");
            return true;
        } catch (ProducerFencedException | InvalidProducerEpochException fenced) {
            onFenced("fenced while recovering (" + fenced.getClass().getSimpleName() + ")");
            return false;
        } catch (RuntimeException failed) {
            LOG.warn("writer recovery failed ({}); retrying", failed.toString());
            return false;
        }
    }

    private TenantIndexException fenced() {
        return new TenantIndexException(ErrorType.WRITER_FENCED, "this writer was " + fencedReason
                + "; send writes to the current primary", Duration.ofSeconds(5), null);
    }

    @Override
    public void close() {
        close(Duration.ofMillis(ShutdownBudget.DEFAULT_MS));
    }

    /** Stops within {@code within}: half of it to join the writer thread, the rest for the producer and the replay. */
    public void close(Duration within) {
        ShutdownBudget budget = ShutdownBudget.start(within);
        running = false;
        thread.interrupt();
        try {
            thread.join(Math.max(1, budget.share(0.5).toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        acks.shutdown();
        closeProducer(budget.share(0.7));
        replay.close(budget.remaining());
    }

    private void closeProducer(Duration timeout) {
        Producer<String, byte[]> current = producer;
        producer = null;
        if (current != null) {
            close(current, timeout);
        }
    }

    private static void close(Producer<String, byte[]> p) {
        close(p, Duration.ZERO);
    }

    private static void close(Producer<String, byte[]> p, Duration timeout) {
        try {
            p.close(timeout);
        } catch (RuntimeException e) {
            LOG.debug("closing producer", e);
        }
    }
}
