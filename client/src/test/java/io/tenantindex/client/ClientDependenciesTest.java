package io.tenantindex.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The client is what a router embeds: it must not drag Kafka, Javalin/Jetty or the services' own
 * modules in. The test classpath holds everything the client's dependencies bring, so a class of
 * any of them found here is a dependency that crept in.
 */
class ClientDependenciesTest {
    @Test
    void shouldHaveNoKafkaJavalinOrServiceModuleOnItsClasspath() {
        List<String> forbidden = List.of(
                "org.apache.kafka.clients.consumer.KafkaConsumer",
                "org.apache.kafka.streams.KafkaStreams",
                "io.javalin.Javalin",
                "org.eclipse.jetty.server.Server",
                "org.apache.avro.Schema",
                "io.tenantindex.common.Json",
                "io.tenantindex.schemas.TenantJson");
        for (String name : forbidden) {
            assertThat(loadable(name)).as(name).isFalse();
        }
        assertThat(loadable("io.tenantindex.protocol.TenantEntry")).isTrue();
    }

    private static boolean loadable(String name) {
        try {
            Class.forName(name, false, ClientDependenciesTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
