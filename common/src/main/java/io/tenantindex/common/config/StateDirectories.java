package io.tenantindex.common.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one check every Kafka Streams service (colos, the usage-log-sink) runs on its state directory
 * before Streams opens it: an unusable directory is one clear configuration error naming it, not a
 * stack trace from deep inside Streams, and a full or read-only disk is called that.
 */
public final class StateDirectories {
    private static final int PROBE_BYTES = 64 * 1024;

    private StateDirectories() {
    }

    /**
     * Creates {@code stateDir} if needed and proves it writable (64 KiB written and deleted); a
     * {@link ConfigException} naming it, and saying so when its disk is full or read-only, otherwise.
     */
    public static void requireUsable(Path stateDir) {
        Path dir = stateDir.toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            throw new ConfigException(ConfigKeys.STATE_DIR + " " + dir + " cannot be created" + blocker(dir) + " (" + e + ")");
        }
        try {
            // Some bytes, not just a name: an empty file can still be created on a full disk.
            Path probe = Files.createTempFile(dir, ".write-probe", "");
            try {
                Files.write(probe, new byte[PROBE_BYTES]);
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException | SecurityException e) {
            String problem = diskProblem(e);
            throw new ConfigException(ConfigKeys.STATE_DIR + " " + dir + (problem != null ? " is on a " + problem + " disk" : " is not writable")
                    + " (" + e + ")");
        }
    }

    /** "full" or "read-only" when the cause chain says so (RocksDB and java.io spell it the same), else null. */
    public static String diskProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("No space left on device") || message.contains("Disk quota exceeded")) {
                return "full";
            }
            if (message.contains("Read-only file system")) {
                return "read-only";
            }
        }
        return null;
    }

    private static String blocker(Path dir) {
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                return Files.isDirectory(p) ? "" : ": " + p + " is a regular file, not a directory";
            }
        }
        return "";
    }
}
