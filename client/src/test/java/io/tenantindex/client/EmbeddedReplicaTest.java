package io.tenantindex.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tenantindex.protocol.ChangeEvent;
import io.tenantindex.protocol.TenantEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replica against fake colos over real HTTP: what it applies, resumes, re-snapshots, fails over to, and keeps on disk. */
class EmbeddedReplicaTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final TenantEntry.Metadata FREE = new TenantEntry.Metadata("free", List.of(), null, null);
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
    private final List<ReplicaChange> heard = new CopyOnWriteArrayList<>();
    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(0, c);
        return c;
    }

    private static TenantEntry entry(String id, long version) {
        return new TenantEntry(id, "d0", null, version, FREE, 1L, 2L);
    }

    private EmbeddedReplica.Builder replica(String... colos) {
        return EmbeddedReplica.builder().colos(List.of(colos)).listener(heard::add).maxBackoff(Duration.ofMillis(100));
    }

    @Test
    void shouldServeTheSnapshotThenApplyOnlyChangesAtOrAboveTheVersionItHolds() throws Exception {
        FakeColo colo = track(FakeColo.start());
        colo.tenants.put("a", entry("a", 2));
        colo.tenants.put("b", entry("b", 5));
        EmbeddedReplica replica = track(replica(colo.url()).start());
        assertThat(replica.awaitReady(TIMEOUT)).isTrue();
        assertThat(replica.get("a")).contains(entry("a", 2));
        assertThat(replica.token()).isEqualTo("t0");

        // The snapshot already held b at 5: the feed's older b (4) and its older delete (3) change nothing.
        colo.push(ChangeEvent.upsert(entry("b", 4), "t1"));
        colo.push(ChangeEvent.delete("b", 3, "t2"));
        colo.push(ChangeEvent.upsert(entry("a", 3), "t3"));
        colo.push(ChangeEvent.upsert(entry("c", 1), "t4"));
        colo.push(ChangeEvent.delete("a", 4, "t5"));
        colo.push(ChangeEvent.upsert(entry("d", 7), "t6"));
        // A tombstone without a version header (another tool wrote it) is applied whatever the version held.
        colo.push(ChangeEvent.delete("d", 0, "t7"));
        await().atMost(TIMEOUT).until(() -> "t7".equals(replica.token()));

        assertThat(replica.asMap()).containsOnlyKeys("b", "c");
        assertThat(replica.get("b")).contains(entry("b", 5));
        assertThat(heard).containsExactly(
                ReplicaChange.upsert(entry("a", 2), "t0"), ReplicaChange.upsert(entry("b", 5), "t0"),
                ReplicaChange.upsert(entry("a", 3), "t3"), ReplicaChange.upsert(entry("c", 1), "t4"),
                ReplicaChange.delete("a", 4, "t5"), ReplicaChange.upsert(entry("d", 7), "t6"), ReplicaChange.delete("d", 0, "t7"));
        assertThat(replica.snapshots()).isEqualTo(1);
    }

    @Test
    void shouldKeepAnsweringWhileItsColoIsAwayThenResumeWithItsTokenAndNoSnapshot() throws Exception {
        FakeColo colo = FakeColo.start();
        int port = colo.port();
        colo.tenants.put("a", entry("a", 1));
        EmbeddedReplica replica = track(replica(colo.url()).start());
        assertThat(replica.awaitReady(TIMEOUT)).isTrue();
        colo.push(ChangeEvent.upsert(entry("a", 2), "t1"));
        await().atMost(TIMEOUT).until(() -> "t1".equals(replica.token()));
        assertThat(replica.staleness()).isZero();

        colo.close();
        await().atMost(TIMEOUT).until(() -> replica.staleness().toMillis() > 300);
        Duration earlier = replica.staleness();
        await().atMost(TIMEOUT).until(() -> replica.staleness().compareTo(earlier) > 0);
        assertThat(replica.get("a")).contains(entry("a", 2));

        FakeColo back = track(new FakeColo(port));
        back.push(ChangeEvent.upsert(entry("a", 3), "t2"));
        await().atMost(TIMEOUT).until(() -> "t2".equals(replica.token()));
        assertThat(back.sinces).first().isEqualTo("t1");
        assertThat(replica.get("a")).contains(entry("a", 3));
        assertThat(replica.snapshots()).isEqualTo(1);
        assertThat(replica.staleness()).isZero();
    }

    @Test
    void shouldResumeWithTheTokenOfACutoff() throws Exception {
        FakeColo colo = track(FakeColo.start());
        EmbeddedReplica replica = track(replica(colo.url()).start());
        assertThat(replica.awaitReady(TIMEOUT)).isTrue();
        colo.push(ChangeEvent.cutoff("t7", "buffer full"));
        await().atMost(TIMEOUT).until(() -> colo.sinces.size() == 2);
        colo.cut();
        assertThat(colo.sinces).containsExactly("", "t7");
    }

    @Test
    void shouldTakeAFreshSnapshotWhenItsTokenIsGoneAndTellListenersTheDifference() throws Exception {
        FakeColo colo = FakeColo.start();
        int port = colo.port();
        colo.tenants.put("a", entry("a", 1));
        colo.tenants.put("b", entry("b", 1));
        EmbeddedReplica replica = track(replica(colo.url()).start());
        assertThat(replica.awaitReady(TIMEOUT)).isTrue();
        colo.close();

        FakeColo back = track(new FakeColo(port));
        back.gone.add("t0");
        back.snapshotToken = "t9";
        back.tenants.put("b", entry("b", 1));
        back.tenants.put("c", entry("c", 4));
        await().atMost(TIMEOUT).until(() -> "t9".equals(replica.token()));

        assertThat(back.sinces).containsExactly("t0", "");
        assertThat(replica.asMap()).containsOnlyKeys("b", "c");
        assertThat(replica.snapshots()).isEqualTo(2);
        assertThat(heard.subList(2, heard.size())).containsExactlyInAnyOrder(
                ReplicaChange.upsert(entry("c", 4), "t9"), ReplicaChange.delete("a", 1, "t9"));
    }

    @Test
    void shouldFollowTheNextColoWhileTheNearestIsDown() throws Exception {
        FakeColo near = FakeColo.start();
        FakeColo far = track(FakeColo.start());
        near.snapshotToken = "n0";
        EmbeddedReplica replica = track(replica(near.url(), far.url()).start());
        assertThat(replica.awaitReady(TIMEOUT)).isTrue();
        near.close();

        far.push(ChangeEvent.upsert(entry("x", 1), "t1"));
        await().atMost(TIMEOUT).until(() -> "t1".equals(replica.token()));
        assertThat(far.sinces).containsExactly("n0");
        assertThat(replica.colo()).hasToString(far.url());
    }

    @Test
    void shouldServeItsSnapshotFileAtOnceAfterARestartAndResumeWithTheFilesToken() throws Exception {
        Path file = dir.resolve("replica.json");
        FakeColo colo = track(FakeColo.start());
        colo.tenants.put("a", entry("a", 1));
        try (EmbeddedReplica first = replica(colo.url()).snapshotFile(file, Duration.ofMinutes(1)).start()) {
            assertThat(first.awaitReady(TIMEOUT)).isTrue();
            colo.push(ChangeEvent.upsert(entry("b", 2), "t1"));
            await().atMost(TIMEOUT).until(() -> "t1".equals(first.token()));
        }
        colo.cut();
        assertThat(file).exists();
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }

        colo.close();
        EmbeddedReplica restarted = track(replica(colo.url()).snapshotFile(file, Duration.ofMinutes(1)).start());
        assertThat(restarted.isReady()).isTrue();
        assertThat(restarted.asMap()).containsOnlyKeys("a", "b");
        assertThat(restarted.token()).isEqualTo("t1");
        assertThat(restarted.snapshots()).isZero();
        assertThat(restarted.staleness()).isPositive();
    }

    @Test
    void shouldStartFromAColoWhenTheSnapshotFileIsNotOne() throws IOException, InterruptedException {
        Path file = dir.resolve("replica.json");
        Files.writeString(file, "{\"not\":\"a snapshot\"}");
        FakeColo colo = track(FakeColo.start());
        colo.tenants.put("a", entry("a", 1));
        EmbeddedReplica replica = track(replica(colo.url()).snapshotFile(file, Duration.ofMinutes(1)).start());
        assertThat(replica.awaitReady(TIMEOUT)).isTrue();
        assertThat(replica.get("a")).isPresent();
        assertThat(colo.sinces).containsExactly("");
    }
}
