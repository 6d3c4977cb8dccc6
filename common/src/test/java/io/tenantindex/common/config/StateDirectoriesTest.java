package io.tenantindex.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state-directory check (a full disk on a real tmpfs is DiskFullIT's). */
class StateDirectoriesTest {
    @TempDir
    Path tmp;

    @Test
    void shouldRefuseAStateDirectoryUnderARegularFileNamingBoth() throws Exception {
        Path file = Files.writeString(tmp.resolve("plain"), "x");
        assertThatThrownBy(() -> StateDirectories.requireUsable(file.resolve("state")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.resolve("state").toString())
                .hasMessageContaining(file + " is a regular file");
        assertThatThrownBy(() -> StateDirectories.requireUsable(file)).isInstanceOf(ConfigException.class);
    }

    @Test
    void shouldCreateAMissingStateDirectory() {
        StateDirectories.requireUsable(tmp.resolve("a/b/state"));
        assertThat(tmp.resolve("a/b/state")).isDirectory().isEmptyDirectory();
    }

    @Test
    void shouldNameAFullOrReadOnlyDiskAnywhereInTheCauseChain() {
        // As Kafka Streams wraps RocksDB's error: the message is RocksDB's, the types are not ours to depend on.
        Throwable rocks = new IllegalStateException("Error while executing flush from store index",
                new RuntimeException("While appending to file: 000012.sst: No space left on device"));
        assertThat(StateDirectories.diskProblem(rocks)).isEqualTo("full");
        assertThat(StateDirectories.diskProblem(new IOException("Read-only file system"))).isEqualTo("read-only");
        assertThat(StateDirectories.diskProblem(new IllegalStateException("something else"))).isNull();
    }
}
