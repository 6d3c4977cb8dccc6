package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GET /tenants at the writer: the colos' paging contract over the authoritative view. */
class WriterPagingIT {

    @Test
    void shouldPageTheAuthoritativeViewInKeyOrderWithTheColosContract() throws Exception {
        try (WriterApp writer = WriterFixture.start(SharedKafka.uniqueName("paging"), SharedKafka.uniqueName("w"))) {
            String base = "http://127.0.0.1:" + writer.port();
            for (String id : List.of("delta", "alpha", "echo", "charlie", "bravo")) {
                assertThat(Http.putJson(base + "/tenants/" + id, WriterFixture.body("pro")).statusCode()).isEqualTo(201);
            }
            assertThat(Http.delete(base + "/tenants/charlie").statusCode()).isEqualTo(204);
            Http.putJson(base + "/tenants/echo", WriterFixture.body("free"));

            List<String> seen = new ArrayList<>();
            List<Long> versions = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                JsonNode page = Json.MAPPER.readTree(Http.get(base + "/tenants?limit=2" + (cursor == null ? "" : "&after=" + cursor)).body());
                assertThat(page.path("source").asText()).isEqualTo("writer");
                page.path("items").forEach(n -> {
                    seen.add(n.path("tenantId").asText());
                    versions.add(n.path("version").asLong());
                });
                cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
                pages++;
            } while (cursor != null);

            assertThat(seen).containsExactly("alpha", "bravo", "delta", "echo");
            assertThat(versions).containsExactly(1L, 1L, 1L, 2L);
            assertThat(pages).isEqualTo(2);
            assertThat(Json.MAPPER.readTree(Http.get(base + "/tenants").body()).path("items")).hasSize(4);

            for (String bad : List.of("limit=0", "limit=1001", "limit=ten", "after=" + "x".repeat(300))) {
                JsonNode error = Json.MAPPER.readTree(Http.get(base + "/tenants?" + bad).body());
                assertThat(Http.get(base + "/tenants?" + bad).statusCode()).as(bad).isEqualTo(400);
                assertThat(error.path("error").asText()).isEqualTo("BAD_REQUEST");
            }
        }
    }
}
