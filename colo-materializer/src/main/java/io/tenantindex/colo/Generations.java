package io.tenantindex.colo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generations of one colo's replica on disk: which one is active ({@code <application.id>.generation}
 * next to the state), whether a rebuild was requested and not yet switched to
 * ({@code <application.id>.rebuilding}), and the state directories of the others.
 *
 * <p><b>A rebuild interrupted by a crash (kill -9) is discarded and started again from scratch.</b>
 * At {@link #open}, every state directory of this colo other than the active generation's is
 * deleted: a half-built newer generation (its RocksDB may be mid-write and, under exactly-once, has
 * no checkpoint anyway) and a retired older one whose deletion the crash cut short. If the marker is
 * there, the rebuild is to be started again, under a generation number above any used before: the
 * interrupted generation's consumer group may still hold the dead process as a member (until its
 * session times out) and offsets of its open transaction, and a fresh group avoids waiting for
 * either. The groups of discarded generations are kept in {@link #discardedGroups()} for deletion
 * after the next switch. The active generation is never touched. An unreadable generation file is
 * logged and replaced by the newest generation on disk that is not the half-built one.
 */
final class Generations {
    private static final Logger LOG = LoggerFactory.getLogger(Generations.class);

    private final MaterializerConfig base;
    private final Path generationFile;
    private final Path rebuildingFile;
    private final Set<String> discardedGroups = ConcurrentHashMap.newKeySet();
    private long highest;
    private volatile long active;

    private Generations(MaterializerConfig base) {
        this.base = base;
        this.generationFile = base.stateDir().resolve(base.applicationId() + ".generation");
        this.rebuildingFile = base.stateDir().resolve(base.applicationId() + ".rebuilding");
    }

    /** Reads (and if need be repairs) the record in a usable state directory and discards every inactive generation's state. */
    static Generations open(MaterializerConfig base) {
        Generations g = new Generations(base);
        g.recover();
        return g;
    }

    private void recover() {
        SortedMap<Long, Path> dirs = generationDirs();
        long requested = readGeneration(rebuildingFile, 0);
        long recorded = readGeneration(generationFile, -1);
        if (recorded < 0) {
            // Part of the state is damaged: open the newest generation that is not a half-built one
            // (none: generation 0, restored from the topic) and record it again.
            recorded = dirs.keySet().stream().filter(g -> g != requested).max(Long::compare).orElse(0L);
            LOG.error("colo {}: the replica generation file {} is unreadable; opening generation {}, the newest complete one on disk",
                    base.colo(), generationFile, recorded);
            writeGeneration(generationFile, recorded);
        }
        active = recorded;
        if (requested > 0 && requested <= active) {
            // The switch was recorded; only the marker's removal was cut short.
            deleteFile(rebuildingFile);
        }
        highest = Math.max(active, requested);
        for (Map.Entry<Long, Path> e : dirs.entrySet()) {
            long g = e.getKey();
            Path dir = e.getValue();
            highest = Math.max(highest, g);
            if (g == active) {
                continue;
            }
            LOG.warn("colo {}: discarding the state of {} generation {} in {}", base.colo(),
                    g > active ? "half-built (interrupted rebuild)" : "retired", g, dir);
            StateDirectoryCheck.wipe(dir);
            LastInSync.forget(base.withGeneration(g));
            discardedGroups.add(dir.getFileName().toString());
        }
    }

    long active() {
        return active;
    }

    /** Whether a rebuild was requested and the process stopped before it switched. */
    boolean rebuildInterrupted() {
        return Files.exists(rebuildingFile);
    }

    /** The number of a new generation to rebuild into, recorded as requested. */
    synchronized long beginRebuild() {
        long next = Math.max(active, highest) + 1;
        highest = next;
        // Recorded before the new generation writes anything, so a crash from here on is seen at start.
        writeGeneration(rebuildingFile, next);
        return next;
    }

    /** Records {@code generation} as the active one (a restart opens it) and clears the rebuild marker. */
    synchronized void switchedTo(long generation) {
        writeGeneration(generationFile, generation);
        deleteFile(rebuildingFile);
        active = generation;
    }

    /** The rebuild into {@code generation} failed and was discarded: a restart must not start it again. */
    synchronized void rebuildFailed(long generation) {
        if (readGeneration(rebuildingFile, 0) == generation) {
            deleteFile(rebuildingFile);
        }
    }

    /** Consumer groups of generations discarded at open; whoever deletes one removes its name. */
    Set<String> discardedGroups() {
        return discardedGroups;
    }

    /** This colo's Streams state directories by generation (0 = the application id without -g). */
    private SortedMap<Long, Path> generationDirs() {
        Pattern ours = Pattern.compile(Pattern.quote(base.applicationId()) + "(?:-g(\\d{1,18}))?");
        SortedMap<Long, Path> out = new TreeMap<>();
        try (Stream<Path> entries = Files.list(base.stateDir())) {
            entries.filter(Files::isDirectory).forEach(dir -> {
                Matcher m = ours.matcher(dir.getFileName().toString());
                if (m.matches()) {
                    out.put(m.group(1) == null ? 0 : Long.parseLong(m.group(1)), dir);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the state directory " + base.stateDir(), e);
        }
        return out;
    }

    /** The number in {@code file}, 0 if there is no file, {@code unreadable} if it cannot be read or parsed. */
    private static long readGeneration(Path file, long unreadable) {
        try {
            return Files.exists(file) ? Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            LOG.warn("unreadable replica generation file {}: {}", file, e.toString());
            return unreadable;
        }
    }

    private static void writeGeneration(Path file, long generation) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, Long.toString(generation), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record replica generation in " + file, e);
        }
    }

    private static void deleteFile(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
    }
}
