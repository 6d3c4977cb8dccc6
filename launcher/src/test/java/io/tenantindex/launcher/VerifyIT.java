package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.TenantIds;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.kafka.KafkaSettings;
import io.tenantindex.schemas.TenantMetadata;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.Tier;
import io.tenantindex.schemas.registry.HttpSchemaRegistryClient;
import io.tenantindex.schemas.serde.ConfluentAvroSerializer;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code ./tenant-index verify} against a local stack whose colos were made to differ from the
 * writer by records written straight to the index topic, past the writer: it must name exactly
 * those tenants, with how each differs, and exit 3.
 */
class VerifyIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static LocalStack stack;
    private static String topic;

    @BeforeAll
    static void start() {
        String prefix = SharedKafka.uniqueName("verify");
        topic = prefix + "-index";
        // The writer's bearer auth is not what this test is about.
        stack = TestStacks.start(TestStacks.settings(prefix, "ORD:0,SIN:0").with(ConfigKeys.AUTH_DISABLED, "true"));
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    @Test
    void shouldNameExactlyTheTenantsThatDifferFromTheWriter() throws Exception {
        String ndjson = IntStream.range(0, 40).mapToObj(i -> String.format("{\"tenantId\":\"v%02d\",\"metadata\":{\"tier\":\"free\"}}", i))
                .collect(Collectors.joining("\n"));
        assertThat(Http.send(Http.builder(stack.writerUrl() + "/tenants:import", "Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(ndjson)).build()).statusCode()).isEqualTo(200);
        await().atMost(TIMEOUT).until(() -> verify().exitCode == 0);

        // Past the writer: the colos apply these, the writer's view never sees them. First only the
        // version the writer gave v12 with other content, which only a digest of the bytes can tell.
        TenantRegistration sameVersion = registration("v12", 1);
        sameVersion.getMetadata().setTier(Tier.enterprise);
        rogueWrite(new ProducerRecord<>(topic, "v12", sameVersion));
        for (ColoServerUrl colo : coloUrls()) {
            await().atMost(TIMEOUT).until(() -> Http.get(colo.url + "/tenants/v12").body().contains("enterprise"));
        }
        for (JsonNode line : jsonLines(verify("--json"))) {
            assertThat(line.path("inSync").asBoolean()).isFalse();
            assertThat(named(line)).containsExactly("v12 content differs 1/1");
        }

        rogueWrite(new ProducerRecord<>(topic, "ghost", registration("ghost", 1)),
                new ProducerRecord<>(topic, "v05", registration("v05", 7)),
                new ProducerRecord<>(topic, "v09", null));
        for (ColoServerUrl colo : coloUrls()) {
            await().atMost(TIMEOUT).until(() -> Http.get(colo.url + "/tenants/ghost").statusCode() == 200
                    && Http.get(colo.url + "/tenants/v09").statusCode() == 404);
        }

        List<JsonNode> lines = jsonLines(verify("--json"));
        assertThat(lines).extracting(l -> l.path("colo").asText()).containsExactlyInAnyOrder("ORD", "SIN");
        for (JsonNode line : lines) {
            assertThat(line.path("inSync").asBoolean()).isFalse();
            assertThat(line.path("differingTenants").asLong()).isEqualTo(4);
            assertThat(named(line)).containsExactly("ghost extra in colo null/1", "v05 version differs 1/7", "v09 missing in colo 1/null",
                    "v12 content differs 1/1");
        }

        Run text = verify();
        assertThat(text.exitCode).isEqualTo(TenantIndexCli.REJECTED);
        assertThat(text.out).contains("ORD  DIFFERS", "SIN  DIFFERS", "extra in colo    ghost  (colo v1)",
                "version differs  v05  (writer v1, colo v7)", "missing in colo  v09  (writer v1)",
                "content differs  v12  (v1 on both, other content)");
        System.out.print(text.out);
    }

    @SafeVarargs
    private static void rogueWrite(ProducerRecord<String, TenantRegistration>... records) throws Exception {
        Properties props = KafkaSettings.of(stack.bootstrapServers()).clientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, TenantRegistration> rogue = new KafkaProducer<>(props, new StringSerializer(),
                new ConfluentAvroSerializer<>(new HttpSchemaRegistryClient(stack.urls().get("registry")), true, false))) {
            for (ProducerRecord<String, TenantRegistration> r : records) {
                rogue.send(r).get();
            }
        }
    }

    /** verify --json's lines, after checking it exited 3 (something differs). */
    private static List<JsonNode> jsonLines(Run run) throws Exception {
        assertThat(run.exitCode).as(run.out).isEqualTo(TenantIndexCli.REJECTED);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : run.out.strip().split("\n")) {
            lines.add(Json.MAPPER.readTree(line));
        }
        return lines;
    }

    /** "id kind writerVersion/coloVersion" of every tenant a verify --json line names. */
    private static List<String> named(JsonNode line) {
        List<String> named = new ArrayList<>();
        line.path("tenants").forEach(t -> named.add(t.path("tenantId").asText() + " " + t.path("kind").asText()
                + " " + t.path("writerVersion").asText() + "/" + t.path("coloVersion").asText()));
        return named;
    }

    private record ColoServerUrl(String colo, String url) {
    }

    private static List<ColoServerUrl> coloUrls() {
        return stack.colos().entrySet().stream()
                .map(e -> new ColoServerUrl(e.getKey(), "http://127.0.0.1:" + e.getValue().port())).toList();
    }

    private record Run(int exitCode, String out) {
    }

    private static Run verify(String... extra) {
        String coloSpec = stack.colos().entrySet().stream()
                .map(e -> e.getKey() + ":" + e.getValue().port()).collect(Collectors.joining(","));
        List<String> args = new ArrayList<>(List.of("verify", "--writer-url", stack.writerUrl(), "--colos", coloSpec));
        args.addAll(List.of(extra));
        StringWriter out = new StringWriter();
        int code = new CommandLine(new TenantIndexCli()).setOut(new PrintWriter(out, true)).execute(args.toArray(String[]::new));
        return new Run(code, out.toString());
    }

    private static TenantRegistration registration(String id, long version) {
        return TenantRegistration.newBuilder().setTenantId(id).setDoId(TenantIds.doIdFor(id)).setVersion(version)
                .setRegisteredAt(1).setUpdatedAt(1)
                .setMetadata(TenantMetadata.newBuilder().setTier(Tier.free).setFeatures(List.of()).build()).build();
    }
}
