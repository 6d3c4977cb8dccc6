package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.protocol.ApiHeaders;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import io.tenantindex.testing.SseReader;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The writer's {@code GET /changes}: the same feed as a colo's, over its authoritative view. */
class WriterChangeFeedIT {
    @Test
    void shouldStreamItsViewThenEveryCommittedWriteAndDeleteWithItsToken() throws IOException {
        String topic = SharedKafka.uniqueName("feed");
        try (WriterApp app = WriterFixture.start(topic, SharedKafka.uniqueName("w"))) {
            String base = "http://127.0.0.1:" + app.port();
            assertThat(Http.putJson(base + "/tenants/before", WriterFixture.body("pro")).statusCode()).isEqualTo(201);

            try (SseReader sse = SseReader.open(base + "/changes")) {
                await().atMost(Duration.ofSeconds(10)).until(() -> !sse.ofType("snapshot-end").isEmpty());
                assertThat(sse.ofType("snapshot")).extracting(e -> e.data().get("tenantId").asText()).containsExactly("before");

                HttpResponse<String> put = Http.putJson(base + "/tenants/after", WriterFixture.body("free"));
                HttpResponse<String> delete = Http.delete(base + "/tenants/before");
                await().atMost(Duration.ofSeconds(10)).until(() -> !sse.ofType("delete").isEmpty());
                SseReader.Event upsert = sse.ofType("upsert").get(0);
                assertThat(upsert.data().get("tenantId").asText()).isEqualTo("after");
                assertThat(upsert.data().get("entry").get("metadata").get("tier").asText()).isEqualTo("free");
                assertCovers(topic, upsert.id(), put.headers().firstValue(ApiHeaders.CONSISTENCY_TOKEN).orElseThrow());
                SseReader.Event deleted = sse.ofType("delete").get(0);
                assertThat(deleted.data().get("tenantId").asText()).isEqualTo("before");
                assertThat(deleted.data().get("version").asLong()).as("the deleted entry's last version").isEqualTo(1);
                assertCovers(topic, deleted.id(), delete.headers().firstValue(ApiHeaders.CONSISTENCY_TOKEN).orElseThrow());

                // Long-poll from the upsert's token: just the delete.
                List<JsonNode> after = lines(Http.get(base + "/changes?since=" + upsert.id() + "&wait=1000"));
                assertThat(after).extracting(e -> e.get("type").asText()).containsExactly("delete");
                assertThat(after.get(0).get("token").asText()).isEqualTo(deleted.id());
            }
        }
    }

    private static void assertCovers(String topic, String feedToken, String writeToken) {
        ConsistencyToken feed = ConsistencyToken.decode(feedToken, topic, 3);
        ConsistencyToken.decode(writeToken, topic, 3).offsets()
                .forEach((partition, offset) -> assertThat(feed.offsets().get(partition)).isEqualTo(offset));
    }

    private static List<JsonNode> lines(HttpResponse<String> r) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (!line.isBlank()) {
                out.add(Json.MAPPER.readTree(line));
            }
        }
        return out;
    }
}
