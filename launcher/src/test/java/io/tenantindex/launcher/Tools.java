package io.tenantindex.launcher;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The Debian tools tests drive (docker-compose, promtool, prometheus, chromium): found on the PATH, run to completion. */
final class Tools {
    private Tools() {
    }

    /** What a finished tool said: its exit code (-1 if it had to be killed at the timeout) and its merged output. */
    record Result(int exitCode, String output) {
    }

    /** The first of {@code names} found on the PATH (or as an absolute path). */
    static Optional<Path> executable(String... names) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String name : names) {
            if (name.startsWith("/") && Files.isExecutable(Path.of(name))) {
                return Optional.of(Path.of(name));
            }
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** Runs {@code command} in {@code directory}, killing it after {@code timeout}. */
    static Result run(Path directory, Duration timeout, List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("tool", ".log");
        try {
            Process p = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                p.destroyForcibly().waitFor();
            }
            return new Result(done ? p.exitValue() : -1, Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
