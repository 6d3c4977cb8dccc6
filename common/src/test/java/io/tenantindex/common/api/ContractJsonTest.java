package io.tenantindex.common.api;


import io.tenantindex.common.Json;
import io.tenantindex.protocol.TenantEntry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

/** The contract records serialize to exactly the JSON the services answer on the wire, and parse back. */
class ContractJsonTest {

    private static <T> void assertWire(T record, String json) throws Exception {
        assertThat(Json.MAPPER.writeValueAsString(record)).isEqualTo(json);
        assertThat(Json.readAnswer(json, record.getClass())).isEqualTo(record);
    }

    @Test
    void shouldWriteATenantEntryAndItsPagesWithTheWireFieldNames() throws Exception {
        TenantEntry acme = new TenantEntry("acme", "5c62", null, 2,
                new TenantEntry.Metadata("pro", List.of("kv"), null, "us"), 1, 3);
        String entry = "{\"tenantId\":\"acme\",\"doId\":\"5c62\",\"coloHint\":null,\"version\":2,\"metadata\":{\"tier\":\"pro\","
                + "\"features\":[\"kv\"],\"maxConnections\":null,\"region\":\"us\"},\"registeredAt\":1,\"updatedAt\":3}";
        assertWire(acme, entry);
        assertWire(TenantPage.ofWriter(List.of(acme), null), "{\"source\":\"writer\",\"items\":[" + entry + "],\"nextCursor\":null}");
        assertWire(TenantPage.ofColo("ORD", List.of(), "acme"), "{\"colo\":\"ORD\",\"items\":[],\"nextCursor\":\"acme\"}");
    }

    @Test
    void shouldWriteARegistrationAsThePutBodyTheWriterValidates() throws Exception {
        assertWire(RegistrationBody.of("ORD", "pro", List.of("kv"), 100, "us"),
                "{\"coloHint\":\"ORD\",\"metadata\":{\"tier\":\"pro\",\"features\":[\"kv\"],\"maxConnections\":100,\"region\":\"us\"}}");
        assertThat(RegistrationBody.FIELDS).containsExactlyInAnyOrder("tenantId", "coloHint", "metadata", "expectedVersion");
        assertThat(RegistrationBody.METADATA_FIELDS).containsExactlyInAnyOrder("tier", "features", "maxConnections", "region");
    }

    @Test
    void shouldWriteTheWriterAndColoDigestsInOneShape() throws Exception {
        Map<Integer, DigestReport.Partition> partitions = Map.of(1, new DigestReport.Partition("00ff", 4),
                0, new DigestReport.Partition("0a0b", 3));
        assertWire(DigestReport.ofWriter("0b0a", 7, partitions, Map.of(0, 5L, 1, -1L)),
                "{\"source\":\"writer\",\"digest\":\"0b0a\",\"entries\":7,\"partitions\":{\"0\":{\"hash\":\"0a0b\",\"entries\":3},"
                        + "\"1\":{\"hash\":\"00ff\",\"entries\":4}},\"positions\":{\"0\":5,\"1\":-1}}");
        DigestReport colo = DigestReport.ofColo("SIN", true, "0b0a", 7, partitions, Map.of(0, 5L));
        assertWire(colo, "{\"source\":\"colo\",\"colo\":\"SIN\",\"ready\":true,\"digest\":\"0b0a\",\"entries\":7,\"partitions\":"
                + "{\"0\":{\"hash\":\"0a0b\",\"entries\":3},\"1\":{\"hash\":\"00ff\",\"entries\":4}},\"positions\":{\"0\":5}}");
        assertThat(colo.position(1)).as("no position: nothing applied").isEqualTo(-1);
    }

    @Test
    void shouldWriteHealthImportAndErrorBodiesWithTheWireFieldNames() throws Exception {
        assertWire(new WriterHealth("UP", true, "w1", "idx", 3, null, new WriterHealth.Writes(5, 1, 0, 2),
                        "ACTIVE", "http://w1:8080"),
                "{\"status\":\"UP\",\"ready\":true,\"writerId\":\"w1\",\"topic\":\"idx\",\"tenants\":3,"
                        + "\"writes\":{\"committed\":5,\"rejected\":1,\"failed\":0,\"transactions\":2},"
                        + "\"role\":\"ACTIVE\",\"leader\":\"http://w1:8080\"}");
        assertWire(new ImportReport(3, 2, 1, List.of(new ImportReport.LineError(3, null, "INVALID_TENANT_ID", "bad")), null),
                "{\"lines\":3,\"written\":2,\"failed\":1,\"errors\":[{\"line\":3,\"tenantId\":null,\"error\":\"INVALID_TENANT_ID\","
                        + "\"message\":\"bad\"}],\"token\":null}");
        assertWire(new ErrorBody("TENANT_NOT_FOUND", "tenant 'x' is not registered"),
                "{\"error\":\"TENANT_NOT_FOUND\",\"message\":\"tenant 'x' is not registered\"}");
        assertWire(new ReplicaList(List.of(new ReplicaList.Replica("tenant-index-colo-ORD-ord-1", "ORD", "Stable", 2,
                        Map.of(0, new ReplicaList.PartitionLag(8, 10, 2)), "ord-1", 0, 1, 1795327400764L))),
                "{\"replicas\":[{\"applicationId\":\"tenant-index-colo-ORD-ord-1\",\"colo\":\"ORD\",\"state\":\"Stable\",\"lag\":2,"
                        + "\"partitions\":{\"0\":{\"committed\":8,\"end\":10,\"lag\":2}},\"instance\":\"ord-1\",\"generation\":0,"
                        + "\"members\":1,\"lastSeen\":1795327400764}]}");
        assertWire(new ReplicaPruneReport(true, 2000, List.of(new ReplicaPruneReport.Group("tenant-index-colo-SIN-a", "SIN", "a", 5L, null)),
                        List.of(new ReplicaPruneReport.Group("tenant-index-colo-SIN-b", "SIN", "b", 9L, "live: 1 member"))),
                "{\"dryRun\":true,\"olderThanMs\":2000,\"deleted\":[{\"applicationId\":\"tenant-index-colo-SIN-a\",\"colo\":\"SIN\","
                        + "\"instance\":\"a\",\"lastSeen\":5,\"reason\":null}],\"kept\":[{\"applicationId\":\"tenant-index-colo-SIN-b\","
                        + "\"colo\":\"SIN\",\"instance\":\"b\",\"lastSeen\":9,\"reason\":\"live: 1 member\"}]}");
        assertWire(SinkHealth.readiness(false, "REBALANCING"), "{\"ready\":false,\"streamsState\":\"REBALANCING\"}");
        assertWire(new ColoHealth("ORD", "ready", true, 0, 12, null, null, null, null,
                        new ColoHealth.StartupRebuild("2026-12-01T12:00:00Z", "local state last in sync 9 days ago")),
                "{\"colo\":\"ORD\",\"status\":\"ready\",\"ready\":true,\"lag\":0,\"stalenessMs\":12,"
                        + "\"startupRebuild\":{\"at\":\"2026-12-01T12:00:00Z\",\"reason\":\"local state last in sync 9 days ago\"}}");
    }

    @Test
    void shouldWriteARebuildsErrorOnlyWhenItFailed() throws Exception {
        assertWire(new RebuildStatus(2, RebuildStatus.RUNNING, "2026-01-01T00:00:00Z", null, 10, 40, 25.0, 100.0, 1L, null),
                "{\"generation\":2,\"state\":\"running\",\"startedAt\":\"2026-01-01T00:00:00Z\",\"finishedAt\":null,"
                        + "\"recordsApplied\":10,\"recordsExpected\":40,\"percent\":25.0,\"recordsPerSecond\":100.0,\"etaSeconds\":1}");
        RebuildStatus failed = new RebuildStatus(2, RebuildStatus.FAILED, "2026-01-01T00:00:00Z", "2026-01-01T00:30:00Z", 10, 40,
                25.0, 0.0, null, "not caught up within 1800000 ms (colo.rebuild.timeout.ms)");
        assertWire(failed, "{\"generation\":2,\"state\":\"failed\",\"startedAt\":\"2026-01-01T00:00:00Z\","
                + "\"finishedAt\":\"2026-01-01T00:30:00Z\",\"recordsApplied\":10,\"recordsExpected\":40,\"percent\":25.0,"
                + "\"recordsPerSecond\":0.0,\"etaSeconds\":null,\"error\":\"not caught up within 1800000 ms (colo.rebuild.timeout.ms)\"}");
        assertThat(failed.failed()).isTrue();
        assertThat(failed.done()).isFalse();
    }

    @Test
    void shouldReadAnAnswerThatLeavesFieldsOutOrAddsSome() throws Exception {
        ColoStats stats = Json.readAnswer("{\"colo\":\"ORD\",\"ready\":true,\"hits\":9,\"misses\":1,\"position\":{\"1\":8},"
                + "\"addedLater\":{\"x\":1}}", ColoStats.class);
        assertThat(stats.colo()).isEqualTo("ORD");
        assertThat(stats.lookups()).isEqualTo(10);
        assertThat(stats.position()).containsExactly(Map.entry(1, 8L));
        assertThat(stats.lagByPartition()).isEmpty();
        assertThat(stats.rebuild()).isNull();
    }
}
