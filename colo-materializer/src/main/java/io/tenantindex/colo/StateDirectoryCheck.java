package io.tenantindex.colo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.streams.state.internals.OffsetCheckpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * Checks a colo's local state before Kafka Streams opens it.
 *
 * <p>Why: Streams handles a <em>missing</em> state directory by restoring from the topic, but a
 * corrupted one (garbage or truncated RocksDB files, an unreadable {@code .checkpoint}) makes every
 * task initialisation fail, and a replaced stream thread fails the same way again: a crash loop
 * inside the process. Opening each task's store read-only first finds that at start, so the colo
 * can wipe the application's state and restore it from the compacted topic (the source of truth).
 * Whether the directory itself is usable is {@link io.tenantindex.common.config.StateDirectories}'s check.
 */
final class StateDirectoryCheck {
    private static final Pattern TASK_DIR = Pattern.compile("\\d+_\\d+");

    private StateDirectoryCheck() {
    }

    /** Why the state of one application ({@code <state.dir>/<application.id>}) cannot be opened; empty if it looks sound or is absent. */
    static Optional<String> problem(Path appDir, String store) {
        if (!Files.isDirectory(appDir)) {
            return Optional.empty();
        }
        List<Path> tasks;
        try (Stream<Path> entries = Files.list(appDir)) {
            tasks = entries.filter(p -> TASK_DIR.matcher(p.getFileName().toString()).matches()).sorted().toList();
        } catch (IOException e) {
            return Optional.of("cannot list " + appDir + ": " + e);
        }
        for (Path task : tasks) {
            Path checkpoint = task.resolve(".checkpoint");
            if (Files.exists(checkpoint)) {
                try {
                    new OffsetCheckpoint(checkpoint.toFile()).read();
                } catch (IOException | RuntimeException e) {
                    return Optional.of("unreadable checkpoint " + checkpoint + ": " + e.getMessage());
                }
            }
            Path db = task.resolve("rocksdb").resolve(store);
            Optional<String> dbProblem = openReadOnly(db);
            if (dbProblem.isPresent()) {
                return dbProblem;
            }
        }
        return Optional.empty();
    }

    /**
     * Opens the store read-only with every column family and reads its first and last entry. Opening
     * reads the manifest and (RocksDB opens every table file by default) each SST's footer and index,
     * so garbage or truncated files fail here; a full checksum scan is left out to keep warm starts fast.
     */
    private static Optional<String> openReadOnly(Path db) {
        try (Stream<Path> files = Files.isDirectory(db) ? Files.list(db) : Stream.empty()) {
            if (files.findAny().isEmpty()) {
                return Optional.empty();
            }
        } catch (IOException e) {
            return Optional.of("cannot list " + db + ": " + e);
        }
        RocksDB.loadLibrary();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (Options options = new Options()) {
            List<ColumnFamilyDescriptor> families = RocksDB.listColumnFamilies(options, db.toString()).stream()
                    .map(ColumnFamilyDescriptor::new).toList();
            if (families.isEmpty()) {
                return Optional.of("RocksDB store " + db + " has no readable column families (CURRENT or MANIFEST damaged)");
            }
            try (DBOptions dbOptions = new DBOptions();
                 RocksDB rocks = RocksDB.openReadOnly(dbOptions, db.toString(), families, handles)) {
                for (ColumnFamilyHandle h : handles) {
                    try (RocksIterator it = rocks.newIterator(h)) {
                        it.seekToFirst();
                        it.status();
                        it.seekToLast();
                        it.status();
                    }
                }
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
            return Optional.empty();
        } catch (RocksDBException | RuntimeException e) {
            return Optional.of("RocksDB store " + db + " cannot be opened: " + e.getMessage());
        }
    }

    /** Deletes {@code dir} and everything under it; fails loudly, since Streams would otherwise open what is left. */
    static void wipe(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the local state in " + dir, e);
        }
    }
}
