package io.tenantindex.lookup;

import static io.tenantindex.lookup.LookupRoutesTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tenantindex.colo.MaterializerConfig;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.kafka.embedded.EmbeddedKafkaBroker;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.testing.Http;
import io.tenantindex.testing.SharedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Two instances of one colo, each a JVM of its own on the shared broker, as they run behind a load
 * balancer: each instance id is a Streams application (consumer group and state) of its own, so each
 * instance is a full replica and answers every tenant.
 */
class ColoInstancesIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final int TENANTS = 3000;

    @Test
    void shouldAnswerEveryTenantFromEachOfTwoInstancesOfOneColo() throws Exception {
        try (ColoFixture kafka = new ColoFixture()) {
            List<TenantRegistration> regs = IntStream.range(0, TENANTS).mapToObj(i -> registration("inst-" + i, 1 + i % 3)).toList();
            kafka.write(regs);
            // One state directory for both, as on a volume two pods share: the instance id keeps their state apart.
            Path state = SharedKafka.tempDir("colo-instances-");
            Map<String, String> urls = new LinkedHashMap<>();
            List<Process> processes = new ArrayList<>();
            try {
                for (String instance : List.of("ord-a", "ord-b")) {
                    int port = EmbeddedKafkaBroker.freePort();
                    processes.add(kafka.startProcess("ORD", state, port, instance, Settings.flagName(ConfigKeys.INSTANCE_ID), instance));
                    urls.put(instance, "http://127.0.0.1:" + port);
                }
                urls.values().forEach(ColoInstancesIT::awaitReady);
                for (Map.Entry<String, String> instance : urls.entrySet()) {
                    assertThat(notAnswered(instance.getValue(), regs)).as("tenants instance %s did not answer with 200", instance.getKey())
                            .isEmpty();
                    String appId = MaterializerConfig.from(kafka.coloSettings("ORD", state).with(ConfigKeys.INSTANCE_ID, instance.getKey()))
                            .applicationId();
                    assertThat(appId).isEqualTo("tenant-index-colo-ORD-" + instance.getKey() + "-" + kafka.appSuffix);
                    assertThat(state.resolve(appId)).isDirectory();
                }

                ConsistencyToken token = kafka.write(registration("inst-new", 1));
                for (String url : urls.values()) {
                    assertThat(Http.get(url + "/tenants/inst-new?wait=5s", "X-Consistency-Token", token.encode()).statusCode())
                            .as("the new tenant in %s", url).isEqualTo(200);
                }

                // One stops (SIGTERM, as a rolling update would): the other goes on answering everything.
                processes.get(0).destroy();
                assertThat(processes.get(0).waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(notAnswered(urls.get("ord-b"), regs)).as("tenants the remaining instance did not answer with 200").isEmpty();
            } finally {
                for (Process p : processes) {
                    p.destroyForcibly().waitFor();
                }
            }
        }
    }

    private static void awaitReady(String url) {
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> Http.get(url + "/health/ready").statusCode() == 200);
    }

    /** The tenants that {@code url} does not answer with 200 (at most ten, for the message). */
    private static List<String> notAnswered(String url, List<TenantRegistration> regs) {
        return regs.stream().map(TenantRegistration::getTenantId)
                .filter(id -> Http.get(url + "/tenants/" + id).statusCode() != 200)
                .limit(10).toList();
    }
}
