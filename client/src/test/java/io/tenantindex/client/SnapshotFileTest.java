package io.tenantindex.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.protocol.TenantEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFileTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadBackWhatItWroteAndReplaceTheFileWithoutLeavingTemporaries() throws IOException {
        Path file = dir.resolve("sub").resolve("replica.json");
        TenantEntry a = new TenantEntry("a", "d0", "SJC", 3, new TenantEntry.Metadata("pro", List.of("ws"), 10, "us"), 1L, 2L);
        TenantEntry b = new TenantEntry("b", "d1", null, 1, new TenantEntry.Metadata("free", List.of(), null, null), 3L, 3L);
        Instant at = Instant.ofEpochMilli(1_795_000_000_000L);
        SnapshotFile.write(file, "old", at, List.of(a));
        SnapshotFile.write(file, "tok", at, List.of(a, b));

        assertThat(SnapshotFile.read(file)).contains(new SnapshotFile.Content("tok", at, Map.of("a", a, "b", b)));
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void shouldSayThereIsNoneWhenThereIsNoFileAndRefuseAFileThatIsNotOne() throws IOException {
        assertThat(SnapshotFile.read(dir.resolve("none.json"))).isEmpty();
        Path other = Files.writeString(dir.resolve("other.json"), "{\"format\":2,\"token\":\"t\",\"savedAt\":1,\"entries\":[]}");
        assertThatThrownBy(() -> SnapshotFile.read(other)).isInstanceOf(IOException.class);
        Path truncated = Files.writeString(dir.resolve("truncated.json"), "{\"format\":1,\"token\":\"t\",\"entries\":[{\"tenantId\":");
        assertThatThrownBy(() -> SnapshotFile.read(truncated)).isInstanceOf(IOException.class);
    }
}
