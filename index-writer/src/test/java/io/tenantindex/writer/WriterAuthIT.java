package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tenantindex.common.Json;
import io.tenantindex.common.config.ConfigException;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import io.tenantindex.testing.TopicOffsets;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Writes need the writer token, imports the admin token, reads nothing; no token is ever logged. */
class WriterAuthIT {
    private static final String WRITER_TOKEN = "writer-token-0123456789abcdef";
    private static final String ADMIN_TOKEN = "admin-token-0123456789abcdef";
    private static final Logger ROOT = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();
    private static String topic;
    private static WriterApp writer;
    private static String base;

    @BeforeAll
    static void start() {
        LOGS.start();
        ROOT.addAppender(LOGS);
        topic = SharedKafka.uniqueName("auth");
        Settings s = WriterFixture.settings(topic, 3, SharedKafka.uniqueName("w")).with(Map.of(
                ConfigKeys.AUTH_DISABLED, "false", ConfigKeys.WRITER_TOKEN, WRITER_TOKEN, ConfigKeys.ADMIN_TOKEN, ADMIN_TOKEN));
        writer = WriterApp.start(WriterConfig.from(s));
        base = "http://127.0.0.1:" + writer.port();
    }

    @AfterAll
    static void stop() {
        writer.close();
        ROOT.detachAppender(LOGS);
        assertThat(LOGS.list).as("log lines").isNotEmpty().noneSatisfy(e ->
                assertThat(e.getFormattedMessage()).containsAnyOf(WRITER_TOKEN, ADMIN_TOKEN));
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    @Test
    void shouldRefuseWritesWithoutAValidTokenAndWriteNothing() throws Exception {
        Map<TopicPartition, Long> before = TopicOffsets.endOffsets(SharedKafka.bootstrapServers(), topic);
        HttpResponse<String> none = Http.putJson(base + "/tenants/anon", WriterFixture.body("pro"));
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));
        assertThat(Json.MAPPER.readTree(none.body()).get("error").asText()).isEqualTo("UNAUTHORIZED");
        assertThat(Http.putJson(base + "/tenants/anon", WriterFixture.body("pro"), "Authorization", bearer("guess-guess-guess-guess")).statusCode())
                .isEqualTo(401);
        assertThat(Http.putJson(base + "/tenants/anon", WriterFixture.body("pro"), "Authorization", "Basic " + WRITER_TOKEN).statusCode())
                .isEqualTo(401);
        assertThat(Http.delete(base + "/tenants/anon").statusCode()).isEqualTo(401);
        HttpResponse<String> writerImports = Http.send(Http.builder(base + "/tenants:import",
                        "Content-Type", "application/x-ndjson", "Authorization", bearer(WRITER_TOKEN))
                .POST(HttpRequest.BodyPublishers.ofString("{\"tenantId\":\"anon\",\"metadata\":{\"tier\":\"free\"}}\n")).build());
        assertThat(writerImports.statusCode()).isEqualTo(403);
        assertThat(Json.MAPPER.readTree(writerImports.body()).get("error").asText()).isEqualTo("FORBIDDEN");
        assertThat(TopicOffsets.endOffsets(SharedKafka.bootstrapServers(), topic)).isEqualTo(before);
    }

    @Test
    void shouldAcceptTheWriterTokenForWritesAndTheAdminTokenForEverything() {
        assertThat(Http.putJson(base + "/tenants/authed", WriterFixture.body("pro"), "Authorization", bearer(WRITER_TOKEN)).statusCode())
                .isEqualTo(201);
        assertThat(Http.get(base + "/tenants/authed").statusCode()).as("reads need no token").isEqualTo(200);
        assertThat(Http.putJson(base + "/tenants/authed", WriterFixture.body("free"), "Authorization", bearer(ADMIN_TOKEN)).statusCode())
                .isEqualTo(200);
        HttpResponse<String> adminImports = Http.send(Http.builder(base + "/tenants:import",
                        "Content-Type", "application/x-ndjson", "Authorization", bearer(ADMIN_TOKEN))
                .POST(HttpRequest.BodyPublishers.ofString("{\"tenantId\":\"imported\",\"metadata\":{\"tier\":\"free\"}}\n")).build());
        assertThat(adminImports.statusCode()).isEqualTo(200);
        assertThat(Http.delete(base + "/tenants/authed", "Authorization", bearer(WRITER_TOKEN)).statusCode()).isEqualTo(204);
    }

    @Test
    void shouldRefuseToStartWithoutTokensUnlessAuthIsExplicitlyDisabled() {
        Settings noTokens = WriterFixture.settings(topic, 3, "unused").with(ConfigKeys.AUTH_DISABLED, "false");
        assertThatThrownBy(() -> WriterConfig.from(noTokens))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("TENANT_INDEX_WRITER_TOKEN").hasMessageContaining("TENANT_INDEX_ADMIN_TOKEN");
        assertThatThrownBy(() -> WriterConfig.from(noTokens.with(Map.of(ConfigKeys.WRITER_TOKEN, "short", ConfigKeys.ADMIN_TOKEN, ADMIN_TOKEN))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("at least 16");
    }
}
