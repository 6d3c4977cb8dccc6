package io.tenantindex.lookup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.kafka.embedded.EmbeddedKafkaBroker;
import io.tenantindex.lookup.usage.UsageRecorder;
import io.tenantindex.protocol.ApiHeaders;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import io.tenantindex.writer.WriterApp;
import io.tenantindex.writer.WriterConfig;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A colo that is not ready (a fresh state directory and no Kafka it can reach, so it stays
 * restoring) forwards lookups to a real writer on the shared broker: the writer's entry, marked
 * {@code X-Replica-Fallback: primary}; its 404 as 404; 503 once the writer is gone; and without
 * {@code lookup.fallback.url} the 503 it always answered.
 */
class PrimaryFallbackIT {
    private static final String BODY = "{\"coloHint\":\"SJC\",\"metadata\":{\"tier\":\"pro\",\"features\":[\"ws\"],\"maxConnections\":100,\"region\":\"us\"}}";

    @Test
    void shouldAnswerFromTheWriterWhileTheColoCannotAnswerYet() throws Exception {
        try (ColoFixture kafka = new ColoFixture()) {
            WriterApp writer = WriterApp.start(WriterConfig.from(writerSettings(kafka)));
            String writerUrl = "http://127.0.0.1:" + writer.port();
            ColoServer forwarding = null;
            ColoServer plain = null;
            try {
                HttpResponse<String> put = Http.putJson(writerUrl + "/tenants/fb-1", BODY);
                assertThat(put.statusCode()).isEqualTo(201);
                String token = put.headers().firstValue(ApiHeaders.CONSISTENCY_TOKEN).orElseThrow();

                // Nothing listens on this port: the colo starts degraded and never catches up.
                String noKafka = "127.0.0.1:" + EmbeddedKafkaBroker.freePort();
                forwarding = startColo(kafka, noKafka, Map.of(ConfigKeys.LOOKUP_FALLBACK_URL, writerUrl,
                        ConfigKeys.LOOKUP_FALLBACK_TIMEOUT_MS, "2000"));
                plain = startColo(kafka, noKafka, Map.of());
                String colo = "http://127.0.0.1:" + forwarding.port();
                assertThat(forwarding.isReady()).isFalse();

                for (HttpResponse<String> found : List.of(Http.get(colo + "/tenants/fb-1"),
                        Http.get(colo + "/tenants/fb-1?wait=100", ApiHeaders.CONSISTENCY_TOKEN, token))) {
                    assertThat(found.statusCode()).isEqualTo(200);
                    assertThat(found.headers().firstValue(ApiHeaders.REPLICA_FALLBACK)).contains("primary");
                    assertThat(found.headers().firstValue("ETag")).contains("\"1\"");
                    JsonNode entry = Json.MAPPER.readTree(found.body());
                    assertThat(entry.path("tenantId").asText()).isEqualTo("fb-1");
                    assertThat(entry.path("version").asLong()).isEqualTo(1);
                    assertThat(entry.path("metadata").path("tier").asText()).isEqualTo("pro");
                }

                HttpResponse<String> unknown = Http.get(colo + "/tenants/fb-unknown");
                assertThat(unknown.statusCode()).isEqualTo(404);
                assertThat(Json.MAPPER.readTree(unknown.body()).path("error").asText()).isEqualTo("TENANT_NOT_FOUND");
                assertThat(unknown.headers().firstValue(ApiHeaders.REPLICA_FALLBACK)).contains("primary");

                assertNotReady(Http.get("http://127.0.0.1:" + plain.port() + "/tenants/fb-1"));

                writer.close();
                writer = null;
                assertNotReady(Http.get(colo + "/tenants/fb-1"));
            } finally {
                if (writer != null) {
                    writer.close();
                }
                if (forwarding != null) {
                    forwarding.close();
                }
                if (plain != null) {
                    plain.close();
                }
            }
        }
    }

    private static void assertNotReady(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(Json.MAPPER.readTree(response.body()).path("error").asText()).isEqualTo("NOT_READY");
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(response.headers().firstValue(ApiHeaders.REPLICA_FALLBACK)).isEmpty();
    }

    private static ColoServer startColo(ColoFixture kafka, String bootstrap, Map<String, String> extra) {
        Settings s = kafka.coloSettings("ORD", SharedKafka.tempDir("fallback-colo-")).with(ConfigKeys.BOOTSTRAP_SERVERS, bootstrap)
                .with(extra);
        return ColoServer.start(ColoConfig.from(s), UsageRecorder.NONE);
    }

    private static Settings writerSettings(ColoFixture kafka) {
        Map<String, String> s = new HashMap<>();
        s.put(ConfigKeys.BOOTSTRAP_SERVERS, kafka.bootstrap);
        s.put(ConfigKeys.REGISTRY_URL, ColoFixture.registryUrl());
        s.put(ConfigKeys.REGISTRY_AUTO_REGISTER, "true");
        s.put(ConfigKeys.INDEX_TOPIC, kafka.topic);
        s.put(ConfigKeys.INDEX_PARTITIONS, Integer.toString(ColoFixture.PARTITIONS));
        s.put(ConfigKeys.USAGE_TOPIC, kafka.topic + "-usage");
        s.put(ConfigKeys.WRITER_ID, kafka.appSuffix);
        s.put(ConfigKeys.HTTP_HOST, "127.0.0.1");
        s.put(ConfigKeys.HTTP_PORT, "0");
        s.put(ConfigKeys.AUTH_DISABLED, "true");
        return Settings.of(s);
    }
}
