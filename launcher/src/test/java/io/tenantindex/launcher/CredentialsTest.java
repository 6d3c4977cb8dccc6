package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.common.config.Settings;
import io.tenantindex.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the local stack's tokens come from: a token set in the environment wins over the generated files. */
class CredentialsTest {
    @Test
    void shouldPreferATokenFromTheEnvironmentAndLeaveTheGeneratedFileAsItWas() throws Exception {
        Path dataDir = SharedKafka.tempDir("credentials");
        Credentials generated = Credentials.loadOrCreate(dataDir, Settings.empty());
        Path writerFile = Credentials.directory(dataDir).resolve(Credentials.WRITER_FILE);

        Credentials explicit = Credentials.loadOrCreate(dataDir,
                Settings.fromEnvironment(Map.of("TENANT_INDEX_WRITER_TOKEN", "explicit-writer-token")));

        assertThat(explicit.writerToken()).isEqualTo("explicit-writer-token");
        assertThat(explicit.adminToken()).as("the admin token still comes from its file").isEqualTo(generated.adminToken());
        assertThat(Files.readString(writerFile, StandardCharsets.UTF_8).trim()).isEqualTo(generated.writerToken());
        assertThat(Credentials.loadOrCreate(dataDir, Settings.empty())).as("without the variable the file is used again")
                .extracting(Credentials::writerToken).isEqualTo(generated.writerToken());
    }
}
