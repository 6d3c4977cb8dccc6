package io.tenantindex.lookup.usage;

import io.tenantindex.common.DaemonThreads;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.kafka.TopicAdmin;
import io.tenantindex.schemas.LookupOutcome;
import io.tenantindex.schemas.UsageEvent;
import io.tenantindex.schemas.registry.HttpSchemaRegistryClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one {@link UsageEvent} per lookup to the usage topic without ever making a lookup wait:
 * {@link #record} only adds a small record to a bounded lock-free queue (dropping and counting it
 * when the queue is full), and one background thread drains the queue in batches into an
 * idempotent, lingering producer (uncompressed by default) keyed by tenant id (so a tenant's events share a
 * partition). If Kafka is slow or down, only that thread waits; the queue fills and further events
 * are dropped, so memory stays at {@code bufferSize} events plus the producer's own bounded buffer.
 * Counters: emitted (acknowledged by Kafka), dropped (buffer full or emitter closed), failed
 * (Kafka or serialization refused them).
 *
 * <p>The queue takes no lock: with an {@code ArrayBlockingQueue}, dozens of lookup threads on two
 * cores queued on its lock whenever its holder was descheduled (JFR: hundreds of parks over 10 ms
 * in 20 s of load). The drainer is not woken either: when the queue is empty it naps, from
 * {@value #MIN_NAP_MS} ms doubling up to {@value #MAX_NAP_MS} ms while it stays empty, so an idle
 * colo wakes it about 20 times a second and a busy one about 200 times (the producer lingers far
 * longer than that nap, and every wake-up is a context switch on the cores the lookups run on).
 */
public final class KafkaUsageEmitter implements UsageRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaUsageEmitter.class);
    private static final int MAX_BATCH = 512;
    private static final long MIN_NAP_MS = 5;
    private static final long MAX_NAP_MS = 50;

    private final String topic;
    private final String colo;
    private final Producer<String, UsageEvent> producer;
    private final Clock clock;
    private final Duration closeTimeout;
    private final ConcurrentLinkedQueue<Pending> buffer = new ConcurrentLinkedQueue<>();
    private final AtomicInteger buffered = new AtomicInteger();
    private final int capacity;
    private final LongAdder emitted = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Thread drainer;
    private volatile boolean closing;

    KafkaUsageEmitter(UsageEmitterConfig config, Producer<String, UsageEvent> producer, Clock clock) {
        this.topic = config.topic();
        this.colo = config.colo();
        this.producer = producer;
        this.clock = clock;
        this.closeTimeout = config.closeTimeout();
        this.capacity = config.bufferSize();
        this.drainer = DaemonThreads.newThread("usage-emitter-" + colo, this::drain);
        this.drainer.start();
    }

    /**
     * Creates the usage topic if it is missing and starts emitting with a real producer. A colo must
     * be able to start and serve from local state while Kafka is unreachable, so a failed topic
     * check is logged, not thrown (the sink creates the topic too; until then events fail and count).
     */
    /** The recorder a colo runs with: an emitter, or {@link UsageRecorder#NONE} when {@code usage.emitter.enabled=false}. */
    public static UsageRecorder fromSettings(Settings settings) {
        return settings.bool(ConfigKeys.USAGE_EMITTER_ENABLED, true) ? start(UsageEmitterConfig.from(settings)) : UsageRecorder.NONE;
    }

    /**
     * As {@link #fromSettings}, but the emitter's Kafka clients start on a thread of their own, so
     * that a colo opens its replica meanwhile instead of after them (about a second of a restart on
     * two cores). A bad setting still throws here.
     */
    public static CompletableFuture<UsageRecorder> startFromSettings(Settings settings) {
        if (!settings.bool(ConfigKeys.USAGE_EMITTER_ENABLED, true)) {
            return CompletableFuture.completedFuture(UsageRecorder.NONE);
        }
        UsageEmitterConfig config = UsageEmitterConfig.from(settings);
        CompletableFuture<UsageRecorder> started = new CompletableFuture<>();
        DaemonThreads.newThread("usage-emitter-" + config.colo() + "-start", () -> {
            try {
                started.complete(start(config));
            } catch (RuntimeException e) {
                started.completeExceptionally(e);
            }
        }).start();
        return started;
    }

    public static KafkaUsageEmitter start(UsageEmitterConfig config) {
        Properties adminProps = config.kafka().clientProperties();
        int timeoutMs = (int) Math.max(1_000, config.maxBlock().toMillis());
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        try (Admin admin = Admin.create(adminProps)) {
            TopicAdmin.ensureTopics(admin, List.of(config.topics().usage()));
        } catch (IllegalStateException | KafkaException e) {
            LOG.warn("could not check usage topic {} at start, emitting anyway: {}", config.topic(), e.getMessage());
        }
        Properties props = config.kafka().clientProperties();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "usage-emitter-" + config.colo());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.compressionType());
        props.put(ProducerConfig.LINGER_MS_CONFIG, config.linger().toMillis());
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        // Only the drainer thread can block in send(); bound it so close() is never stuck behind it.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.maxBlock().toMillis());
        Producer<String, UsageEvent> producer = new KafkaProducer<>(props, new StringSerializer(),
                new UsageEventSerializer(new HttpSchemaRegistryClient(config.registry()), config.registry().autoRegister()));
        return new KafkaUsageEmitter(config, producer, Clock.systemUTC());
    }

    /** Never blocks and never throws: the event is queued, or dropped and counted. */
    @Override
    public void record(String tenantId, LookupOutcome outcome, long latencyMicros, String requestId) {
        if (tenantId == null || outcome == null) {
            // Not a valid event: counted rather than thrown at the lookup that reported it.
            failed.increment();
            return;
        }
        if (closing) {
            dropped.increment();
            return;
        }
        if (buffered.incrementAndGet() > capacity) {
            buffered.decrementAndGet();
            dropped.increment();
            return;
        }
        buffer.add(new Pending(tenantId, outcome, latencyMicros, requestId == null ? "" : requestId, clock.millis()));
    }

    /** Takes up to {@code max} queued events into {@code into}; returns how many. */
    private int take(List<Pending> into, int max) {
        int n = 0;
        Pending p;
        while (n < max && (p = buffer.poll()) != null) {
            into.add(p);
            n++;
        }
        buffered.addAndGet(-n);
        return n;
    }

    private void drain() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        long nap = MIN_NAP_MS;
        while (true) {
            if (take(batch, MAX_BATCH) == 0) {
                if (closing || Thread.currentThread().isInterrupted()) {
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(nap));
                nap = Math.min(MAX_NAP_MS, nap * 2);
                continue;
            }
            nap = MIN_NAP_MS;
            for (Pending p : batch) {
                if (Thread.currentThread().isInterrupted()) {
                    // close() gave up waiting: what is left of this batch is dropped, not lost silently.
                    dropped.increment();
                } else {
                    send(p);
                }
            }
            batch.clear();
        }
    }

    private void send(Pending p) {
        // The all-fields constructor: the builder validates and copies defaults for every event.
        UsageEvent event = new UsageEvent(p.tenantId(), colo, p.outcome(), p.latencyMicros(), p.timestampMs(), p.requestId());
        try {
            producer.send(new ProducerRecord<>(topic, null, p.timestampMs(), p.tenantId(), event), (metadata, error) -> {
                if (error == null) {
                    emitted.increment();
                } else {
                    fail(error);
                }
            });
        } catch (KafkaException | IllegalStateException e) {
            fail(e);
        }
    }

    private void fail(Exception e) {
        failed.increment();
        long n = failed.sum();
        // Rate-limited: a Kafka outage fails every event, the log should not follow suit.
        if (n == 1 || n % 10_000 == 0) {
            LOG.warn("usage events to {} failing ({} so far): {}", topic, n, e.toString());
        }
    }

    @Override
    public long emitted() {
        return emitted.sum();
    }

    @Override
    public long dropped() {
        return dropped.sum();
    }

    @Override
    public long failed() {
        return failed.sum();
    }

    /** Events waiting in the buffer right now. */
    public int buffered() {
        return Math.max(0, buffered.get());
    }

    public int capacity() {
        return capacity;
    }

    /**
     * Stops accepting events, sends what is buffered and waits for Kafka's acknowledgements, all
     * within the configured close timeout or {@code within}, whichever is shorter; whatever could not
     * be sent by then is counted as dropped.
     */
    @Override
    public void close(Duration within) {
        if (closing) {
            return;
        }
        closing = true;
        Duration timeout = within.compareTo(closeTimeout) < 0 ? within : closeTimeout;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            // Half the budget to drain the buffer into the producer, the rest for the acknowledgements.
            drainer.join(Math.max(1, timeout.toMillis() / 2));
            if (drainer.isAlive()) {
                drainer.interrupt();
                drainer.join(Math.max(100, remainingMillis(deadline)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dropped.add(take(new ArrayList<>(), Integer.MAX_VALUE));
        producer.close(Duration.ofMillis(remainingMillis(deadline)));
        LOG.info("usage emitter {} closed: emitted={} dropped={} failed={}", colo, emitted(), dropped(), failed());
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    private record Pending(String tenantId, LookupOutcome outcome, long latencyMicros, String requestId, long timestampMs) {
    }
}
