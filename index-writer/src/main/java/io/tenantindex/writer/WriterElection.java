package io.tenantindex.writer;

import io.tenantindex.common.kafka.KafkaSettings;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Elects the active writer among every writer process with the same {@code writer.id}, with Kafka's
 * own group protocol, as Schema Registry and Kafka Connect do: all of them join one consumer group
 * on the single-partition election topic, and the member assigned that partition leads. Schema
 * Registry builds this on {@code AbstractCoordinator}, which is internal API; a plain consumer with
 * a rebalance listener gets the same membership, liveness (session timeout) and single owner from
 * public API. The sticky cooperative assignor keeps the partition where it is when a standby joins,
 * so a new standby never interrupts the leader.
 *
 * <p>The election only decides who should lead; safety comes from the transactional id, which the
 * leader claims before its first write ({@link IndexWriter#lead}). A leader paused past the session
 * timeout loses the partition here, and its first commit after the pause fails as fenced.
 *
 * <p>The member's {@code client.id} is the writer's advertised URL, so standbys find the leader's
 * URL in the group's description and redirect writes there.
 */
final class WriterElection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WriterElection.class);
    private static final Duration LEADER_LOOKUP_INTERVAL = Duration.ofSeconds(1);

    private final Admin admin;
    private final String groupId;
    private final TopicPartition leaderPartition;
    private final String ownUrl;
    private final IndexWriter writer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final CompletableFuture<Void> firstAssignment = new CompletableFuture<>();
    private volatile boolean running = true;
    private volatile boolean holding;
    private volatile String leaderUrl;

    WriterElection(KafkaSettings kafka, Admin admin, String leaderTopic, String writerId, Duration sessionTimeout,
                   String ownUrl, IndexWriter writer) {
        this.admin = admin;
        this.groupId = "tenant-index-writer-election-" + writerId;
        this.leaderPartition = new TopicPartition(leaderTopic, 0);
        this.ownUrl = ownUrl;
        this.writer = writer;
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, ownUrl);
        // The classic protocol: its session timeout is the client's to choose (within the broker's group.min/max.session.timeout.ms).
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(CommonClientConfigs.SESSION_TIMEOUT_MS_CONFIG, Long.toString(sessionTimeout.toMillis()));
        // A standby hears of the leader's departure at its next heartbeat, so the takeover is about session + heartbeat.
        p.put(CommonClientConfigs.HEARTBEAT_INTERVAL_MS_CONFIG, Long.toString(Math.max(100, sessionTimeout.toMillis() / 6)));
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "index-writer-election");
    }

    void start() {
        thread.start();
    }

    /** Completes once this member has been through its first rebalance (leading or not). */
    CompletableFuture<Void> firstAssignment() {
        return firstAssignment;
    }

    /** True while the election names this writer the leader (it may still be claiming the transactional id). */
    boolean holding() {
        return holding;
    }

    /** The current leader's advertised URL as the group last described it; null when no member leads. */
    String leaderUrl() {
        return holding ? ownUrl : leaderUrl;
    }

    private void run() {
        consumer.subscribe(List.of(leaderPartition.topic()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                if (partitions.contains(leaderPartition)) {
                    LOG.info("elected the leader of writer group {}", groupId);
                    holding = true;
                    writer.lead();
                }
                firstAssignment.complete(null);
            }

            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                stepDown(partitions, "handed the lead to another member");
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                stepDown(partitions, "lost its membership (silent longer than the session timeout)");
            }
        });
        long nextLookup = 0;
        while (running) {
            try {
                // The election topic is never written: poll only drives the group protocol and the listener.
                consumer.poll(Duration.ofMillis(200));
            } catch (WakeupException e) {
                break;
            } catch (KafkaException e) {
                LOG.warn("writer election poll failed ({}); retrying", e.toString());
            }
            if (!holding && System.nanoTime() - nextLookup >= 0) {
                leaderUrl = lookUpLeader();
                nextLookup = System.nanoTime() + LEADER_LOOKUP_INTERVAL.toNanos();
            }
        }
        // Leaving the group at once hands the lead to a standby without waiting for the session timeout.
        consumer.close();
    }

    private void stepDown(Collection<TopicPartition> partitions, String why) {
        if (partitions.contains(leaderPartition)) {
            LOG.warn("this writer {} of writer group {}; stepping down", why, groupId);
            holding = false;
            leaderUrl = null;
            writer.follow();
        }
    }

    private String lookUpLeader() {
        try {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId)
                    .get(2, TimeUnit.SECONDS);
            for (MemberDescription m : group.members()) {
                if (m.assignment().topicPartitions().contains(leaderPartition) && !m.clientId().equals(ownUrl)) {
                    return m.clientId();
                }
            }
            return null;
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("could not describe writer group {}", groupId, e);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    /** Stops the election thread, waiting at most {@code within} for it to leave the group. */
    public void close(Duration within) {
        running = false;
        if (thread.getState() == Thread.State.NEW) {
            consumer.close(within);
            return;
        }
        consumer.wakeup();
        try {
            thread.join(Math.max(1, within.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
