package io.tenantindex.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantindex.common.Json;
import io.tenantindex.schemas.EmbeddedRegistries;
import io.tenantindex.schemas.registry.EmbeddedSchemaRegistry;
import io.tenantindex.testing.Prerequisites;
import io.tenantindex.testing.SharedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's embedded registry, started once on its own {@code _schemas} topic, and
 * src/test/python/confluent_interop.py run against it and the shared broker with Debian's
 * /usr/bin/python3. CI installs python3-confluent-kafka, python3-requests and python3-avro; without
 * them the test class is skipped, saying why.
 */
final class ConfluentPython implements BeforeAllCallback, AfterAllCallback {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SCRIPT = Path.of("src/test/python/confluent_interop.py");
    private EmbeddedSchemaRegistry registry;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        require();
        registry = EmbeddedRegistries.start(EmbeddedRegistries.uniqueSchemasTopic());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (registry != null) {
            registry.close();
        }
    }

    EmbeddedSchemaRegistry registry() {
        return registry;
    }

    private static void require() throws InterruptedException {
        Prerequisites.require(available(), "/usr/bin/python3 cannot import confluent_kafka.schema_registry, "
                + "confluent_kafka.avro and avro; install the Debian packages python3-confluent-kafka python3-requests python3-avro");
    }

    private static boolean available() throws InterruptedException {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c",
                    "import confluent_kafka.schema_registry, confluent_kafka.avro, avro.io, requests")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs one command of the script; its stdout is one JSON document per line. */
    List<JsonNode> run(String... args) throws Exception {
        Path dir = SharedKafka.tempDir("python-interop-");
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), SCRIPT.toString(), args[0],
                "--bootstrap", SharedKafka.bootstrapServers(), "--registry", registry.url()));
        command.addAll(List.of(args).subList(1, args.length));
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean finished = p.waitFor(180, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(finished && p.exitValue() == 0)
                .as("%s exited %s; stderr:%n%s", command, finished ? p.exitValue() : "(timed out)", stderr).isTrue();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                try {
                    lines.add(Json.MAPPER.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException("not JSON from the script: " + line, e);
                }
            }
        }
        return lines;
    }
}
