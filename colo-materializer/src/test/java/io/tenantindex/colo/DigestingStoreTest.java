package io.tenantindex.colo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DigestingStoreTest {
    private static final Bytes KEY = Bytes.wrap("acme".getBytes(StandardCharsets.UTF_8));
    private static final byte[] VALUE = {0, 0, 0, 0, 0, 0, 0, 7, 42};

    private KeyValueStore<Bytes, byte[]> rocks;
    private DigestingStore store;

    @BeforeEach
    void open() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "digesting-store-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        rocks = Stores.persistentTimestampedKeyValueStore(ColoTopology.STORE).get();
        store = new DigestingStore(rocks, new ContentDigests(1, Runnable::run));
        store.init(new MockProcessorContext<>(props, new TaskId(0, 0), SharedKafka.tempDir("digesting-store-").toFile()).getStateStoreContext(), store);
        store.put(KEY, VALUE);
    }

    @AfterEach
    void close() {
        if (store.isOpen()) {
            store.close();
        }
    }

    @Test
    void getsDoNotQueueOnKafkaStreamsStoreMonitor() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // Kafka Streams' RocksDBStore.get is synchronized on the store: a thread inside it holds this.
        Thread holder = new Thread(() -> {
            synchronized (rocks) {
                held.countDown();
                awaitQuietly(release);
            }
        });
        holder.start();
        try {
            assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
            byte[] read = CompletableFuture.supplyAsync(() -> store.get(KEY)).get(10, TimeUnit.SECONDS);
            assertThat(read).containsExactly(VALUE);
        } finally {
            release.countDown();
            holder.join();
        }
    }

    @Test
    void aGetAfterCloseSaysTheStoreIsClosed() {
        store.close();

        assertThatThrownBy(() -> store.get(KEY)).isInstanceOf(InvalidStateStoreException.class);
    }

    @Test
    void closingWhileGetsRunLetsEachEndInAValueOrClosed() throws Exception {
        int threads = 4;
        AtomicBoolean closed = new AtomicBoolean();
        CountDownLatch eachRead = new CountDownLatch(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> readers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            readers.add(pool.submit(() -> {
                int reads = 0;
                while (true) {
                    try {
                        assertThat(store.get(KEY)).containsExactly(VALUE);
                    } catch (InvalidStateStoreException e) {
                        assertThat(closed).isTrue();
                        return reads;
                    }
                    if (reads++ == 0) {
                        eachRead.countDown();
                    }
                }
            }));
        }
        // A native get on a freed handle would crash this JVM rather than fail the test.
        assertThat(eachRead.await(10, TimeUnit.SECONDS)).isTrue();
        closed.set(true);
        store.close();

        for (Future<Integer> reader : readers) {
            assertThat(reader.get(10, TimeUnit.SECONDS)).isPositive();
        }
        pool.shutdown();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
