package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.tenantindex.common.api.ReplicaList;
import io.tenantindex.common.api.ReplicaPruneReport;
import io.tenantindex.protocol.TenantIndexException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicaMonitorTest {

    @Test
    void shouldTellTheColoOfEveryInstanceAndGenerationFromItsGroup() {
        assertThat(ReplicaMonitor.coloOf("tenant-index-colo-ORD-ord-a")).isEqualTo("ORD");
        assertThat(ReplicaMonitor.coloOf("tenant-index-colo-SIN-host.example.com-t1-g2")).isEqualTo("SIN");
        assertThat(ReplicaMonitor.coloOf("tenant-index-colo-AMS")).isEqualTo("AMS");
    }

    @Test
    void shouldTellTheInstanceAndGenerationFromTheGroup() {
        assertThat(ReplicaMonitor.instanceOf("tenant-index-colo-ORD-ord-a")).isEqualTo("ord-a");
        assertThat(ReplicaMonitor.generationOf("tenant-index-colo-ORD-ord-a")).isZero();
        assertThat(ReplicaMonitor.instanceOf("tenant-index-colo-SIN-host.example.com-t1-g2")).isEqualTo("host.example.com-t1");
        assertThat(ReplicaMonitor.generationOf("tenant-index-colo-SIN-host.example.com-t1-g2")).isEqualTo(2);
        assertThat(ReplicaMonitor.instanceOf("tenant-index-colo-AMS")).isEmpty();
    }

    @Test
    void shouldPruneOnlyGroupsWithoutMembersLastSeenBeforeTheBound() {
        long now = 1_000_000_000L;
        List<ReplicaList.Replica> replicas = List.of(
                replica("tenant-index-colo-SIN-live", 2, now),
                replica("tenant-index-colo-SIN-recent", 0, now - 1_000),
                replica("tenant-index-colo-SIN-old", 0, now - 60_000),
                replica("tenant-index-colo-SIN-old-g3", 0, now - 60_000),
                replica("tenant-index-colo-SIN-unknown", 0, null),
                replica("tenant-index-colo-ORD-old", 0, now - 60_000));

        ReplicaMonitor.Decision sin = ReplicaMonitor.decide(replicas, now, Duration.ofSeconds(30), "sin");

        assertThat(sin.deletable()).extracting(ReplicaPruneReport.Group::applicationId)
                .containsExactly("tenant-index-colo-SIN-old", "tenant-index-colo-SIN-old-g3");
        assertThat(sin.kept()).extracting(ReplicaPruneReport.Group::applicationId, ReplicaPruneReport.Group::reason).containsExactly(
                tuple("tenant-index-colo-SIN-live", "live: 2 members"),
                tuple("tenant-index-colo-SIN-recent", "seen 1 s ago"),
                tuple("tenant-index-colo-SIN-unknown", "last seen unknown"));
        assertThat(ReplicaMonitor.decide(replicas, now, Duration.ofSeconds(30), null).deletable()).hasSize(3);
    }

    @Test
    void shouldReadTheGroupOfACoordinatorRecordKey() {
        assertThat(GroupActivity.groupOf(key((short) 1, "tenant-index-colo-ORD-a", "topic"))).isEqualTo("tenant-index-colo-ORD-a");
        assertThat(GroupActivity.groupOf(key((short) 2, "g"))).isEqualTo("g");
        assertThat(GroupActivity.groupOf(new byte[] {0, 1, 0, 9, 'x'})).as("length past the end").isNull();
        assertThat(GroupActivity.groupOf(null)).isNull();
    }

    @Test
    void shouldReadAnAgeAndRefuseAnythingElse() {
        assertThat(WriterRoutes.age("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(WriterRoutes.age("2s")).isEqualTo(Duration.ofSeconds(2));
        assertThat(WriterRoutes.age("90m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(WriterRoutes.age("1500ms")).isEqualTo(Duration.ofMillis(1500));
        for (String bad : List.of("7", "d", "-1d", "7 days", "500ms", "0s")) {
            assertThatThrownBy(() -> WriterRoutes.age(bad)).as(bad).isInstanceOf(TenantIndexException.class);
        }
    }

    private static ReplicaList.Replica replica(String id, int members, Long lastSeen) {
        return new ReplicaList.Replica(id, ReplicaMonitor.coloOf(id), members > 0 ? "Stable" : "Empty", 0, Map.of(),
                ReplicaMonitor.instanceOf(id), ReplicaMonitor.generationOf(id), members, lastSeen);
    }

    private static byte[] key(short type, String... strings) {
        ByteBuffer b = ByteBuffer.allocate(256).putShort(type);
        for (String s : strings) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            b.putShort((short) bytes.length).put(bytes);
        }
        return Arrays.copyOf(b.array(), b.position());
    }
}
