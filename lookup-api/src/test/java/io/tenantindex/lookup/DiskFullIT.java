package io.tenantindex.lookup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.common.config.ConfigException;
import io.tenantindex.testing.Prerequisites;
import io.tenantindex.testing.SharedKafka;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A colo started on a full disk: a real 4 MiB tmpfs (mounting one needs root, as CI has), filled by
 * a file. The colo refuses to start with one line that names the directory and says the disk is
 * full, before Kafka Streams opens anything (no stream thread failing over and over), and starts
 * once there is room again.
 */
class DiskFullIT {

    @Test
    void shouldRefuseToStartOnAFullDiskWithOneClearErrorAndStartOnceThereIsRoom() throws Exception {
        Path mount = SharedKafka.tempDir("diskfull").resolve("state");
        Files.createDirectories(mount);
        Prerequisites.require(run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount.toString()) == 0,
                "mounting a small tmpfs needs root");
        Path filler = mount.resolve("filler");
        try (ColoFixture kafka = new ColoFixture()) {
            Path stateDir = mount.resolve("colo");
            Files.createDirectories(stateDir);
            fill(filler);
            assertThatThrownBy(() -> kafka.startColo("ORD", stateDir))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("state.dir " + stateDir.toAbsolutePath() + " is on a full disk")
                    .hasMessageContaining("No space left on device");

            Files.delete(filler);
            try (ColoServer colo = kafka.startColo("ORD", stateDir)) {
                assertThat(colo.port()).isPositive();
            }
        } finally {
            run("umount", "-l", mount.toString());
        }
    }

    /** Writes until the file system refuses: ENOSPC. */
    private static void fill(Path filler) {
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            assertThat(full.getMessage()).contains("No space left on device");
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
