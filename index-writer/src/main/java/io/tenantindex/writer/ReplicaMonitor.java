package io.tenantindex.writer;

import io.tenantindex.common.api.ReplicaList;
import io.tenantindex.common.api.ReplicaPruneReport;
import io.tenantindex.common.kafka.TopicAdmin;
import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;

/**
 * Every colo instance the cluster knows of, from Kafka's own admin API: each instance of a colo is
 * a Kafka Streams application whose id is {@value #COLO_GROUP_PREFIX}{@code <COLO>-<instance>…}; its
 * lag is the committed end offset minus the offset the application committed, per partition; it is
 * live while its group has members, and otherwise was last seen when the group coordinator last
 * wrote for it ({@link GroupActivity}). {@link #prune} deletes the groups of instances not seen for a
 * while, and nothing else.
 */
final class ReplicaMonitor {
    static final String COLO_GROUP_PREFIX = "tenant-index-colo-";
    private static final Pattern GENERATION = Pattern.compile("(.*)-g(\\d+)");

    private final Admin admin;
    private final GroupActivity activity;
    private final String topic;

    ReplicaMonitor(Admin admin, GroupActivity activity, String topic) {
        this.admin = admin;
        this.topic = topic;
        this.activity = activity;
    }

    ReplicaList replicas() {
        try {
            long now = System.currentTimeMillis();
            Map<TopicPartition, Long> end = TopicAdmin.endOffsets(admin, topic);
            List<GroupListing> groups = admin.listGroups().all().get(10, TimeUnit.SECONDS).stream()
                    .filter(g -> g.groupId().startsWith(COLO_GROUP_PREFIX)).toList();
            Map<String, Integer> members = members(groups);
            Map<String, Long> written = activity.lastWrittenAt(groups.stream().map(GroupListing::groupId)
                    .filter(id -> members.getOrDefault(id, 0) == 0).collect(Collectors.toSet()));
            List<ReplicaList.Replica> out = new ArrayList<>();
            for (GroupListing group : groups) {
                String id = group.groupId();
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(id)
                        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                long totalLag = 0;
                Map<Integer, ReplicaList.PartitionLag> partitions = new HashMap<>();
                for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                    OffsetAndMetadata c = committed.get(e.getKey());
                    long position = c == null ? 0 : c.offset();
                    long lag = Math.max(0, e.getValue() - position);
                    totalLag += lag;
                    partitions.put(e.getKey().partition(), new ReplicaList.PartitionLag(position, e.getValue(), lag));
                }
                int memberCount = members.getOrDefault(id, 0);
                out.add(new ReplicaList.Replica(id, coloOf(id), group.groupState().map(Object::toString).orElse("UNKNOWN"),
                        totalLag, partitions, instanceOf(id), generationOf(id), memberCount,
                        memberCount > 0 ? Long.valueOf(now) : written.get(id)));
            }
            out.sort(Comparator.comparing(ReplicaList.Replica::applicationId));
            return new ReplicaList(out);
        } catch (ExecutionException | TimeoutException e) {
            throw unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Deletes the consumer groups of instances (and generations) of {@code colo} (null: every colo) not
     * seen for {@code olderThan}; with {@code dryRun} only says which. Kafka itself refuses to delete a
     * group that has members, so an instance starting in between is kept too.
     */
    ReplicaPruneReport prune(Duration olderThan, String colo, boolean dryRun) {
        Decision decision = decide(replicas().replicas(), System.currentTimeMillis(), olderThan, colo);
        if (dryRun || decision.deletable.isEmpty()) {
            return new ReplicaPruneReport(dryRun, olderThan.toMillis(), decision.deletable, decision.kept);
        }
        List<ReplicaPruneReport.Group> deleted = new ArrayList<>();
        List<ReplicaPruneReport.Group> kept = new ArrayList<>(decision.kept);
        Map<String, KafkaFuture<Void>> results = admin.deleteConsumerGroups(
                decision.deletable.stream().map(ReplicaPruneReport.Group::applicationId).toList()).deletedGroups();
        for (ReplicaPruneReport.Group g : decision.deletable) {
            try {
                results.get(g.applicationId()).get(30, TimeUnit.SECONDS);
                deleted.add(g);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof GroupNotEmptyException) {
                    kept.add(new ReplicaPruneReport.Group(g.applicationId(), g.colo(), g.instance(), g.lastSeen(), "live: it joined again"));
                } else if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                    throw unavailable(e);
                }
            } catch (TimeoutException e) {
                throw unavailable(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        kept.sort(Comparator.comparing(ReplicaPruneReport.Group::applicationId));
        return new ReplicaPruneReport(false, olderThan.toMillis(), deleted, kept);
    }

    record Decision(List<ReplicaPruneReport.Group> deletable, List<ReplicaPruneReport.Group> kept) {
    }

    /** Which of {@code replicas} of {@code colo} (null: all) are not live and were last seen {@code olderThan} before {@code now}. */
    static Decision decide(List<ReplicaList.Replica> replicas, long now, Duration olderThan, String colo) {
        List<ReplicaPruneReport.Group> deletable = new ArrayList<>();
        List<ReplicaPruneReport.Group> kept = new ArrayList<>();
        for (ReplicaList.Replica r : replicas) {
            if (colo != null && !colo.equalsIgnoreCase(r.colo())) {
                continue;
            }
            String reason = r.live() ? "live: " + r.members() + (r.members() == 1 ? " member" : " members")
                    // Without any time for it, the group is not known to be old.
                    : r.lastSeen() == null ? "last seen unknown"
                    : now - r.lastSeen() < olderThan.toMillis() ? "seen " + Duration.ofMillis(now - r.lastSeen()).toSeconds() + " s ago"
                    : null;
            ReplicaPruneReport.Group g = new ReplicaPruneReport.Group(r.applicationId(), r.colo(), r.instance(), r.lastSeen(), reason);
            (reason == null ? deletable : kept).add(g);
        }
        return new Decision(deletable, kept);
    }

    /** Members of each group now, by the protocol the group uses. */
    private Map<String, Integer> members(List<GroupListing> groups) throws ExecutionException, InterruptedException, TimeoutException {
        Map<String, Integer> out = new HashMap<>();
        List<String> streams = ids(groups, true);
        List<String> consumers = ids(groups, false);
        if (!consumers.isEmpty()) {
            admin.describeConsumerGroups(consumers).all().get(10, TimeUnit.SECONDS)
                    .forEach((id, d) -> out.put(id, d.members().size()));
        }
        if (!streams.isEmpty()) {
            admin.describeStreamsGroups(streams).all().get(10, TimeUnit.SECONDS)
                    .forEach((id, d) -> out.put(id, d.members().size()));
        }
        return out;
    }

    private static List<String> ids(List<GroupListing> groups, boolean streams) {
        return groups.stream().filter(g -> g.type().map(t -> t == GroupType.STREAMS).orElse(false) == streams)
                .map(GroupListing::groupId).toList();
    }

    private static TenantIndexException unavailable(Exception e) {
        return new TenantIndexException(ErrorType.UNAVAILABLE, "cannot read or change colo groups in Kafka: " + e.getMessage(),
                Duration.ofSeconds(2), e);
    }

    /** The colo code: up to the next '-' (colo codes have none; instance ids, suffixes and generations follow it). */
    static String coloOf(String groupId) {
        String rest = groupId.substring(COLO_GROUP_PREFIX.length());
        int dash = rest.indexOf('-');
        return dash < 0 ? rest : rest.substring(0, dash);
    }

    /** What follows the colo, without a generation; "" for a group named after its colo alone. */
    static String instanceOf(String groupId) {
        String rest = groupId.substring(COLO_GROUP_PREFIX.length() + coloOf(groupId).length());
        rest = rest.startsWith("-") ? rest.substring(1) : rest;
        Matcher m = GENERATION.matcher(rest);
        return m.matches() ? m.group(1) : rest;
    }

    /** The {@code -g<N>} of a rebuilt generation; 0 for the original. */
    static long generationOf(String groupId) {
        Matcher m = GENERATION.matcher(groupId);
        return m.matches() ? Long.parseLong(m.group(2)) : 0;
    }
}
