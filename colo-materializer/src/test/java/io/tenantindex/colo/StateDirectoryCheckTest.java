package io.tenantindex.colo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;

class StateDirectoryCheckTest {
    @TempDir
    Path tmp;

    @Test
    void shouldFindNothingWrongWithAbsentOrSoundState() throws Exception {
        assertThat(StateDirectoryCheck.problem(tmp.resolve("none"), ColoTopology.STORE)).isEmpty();
        Path app = tmp.resolve("app");
        createStore(app.resolve("0_0"));
        Files.writeString(app.resolve("0_0/.checkpoint"), "0\n1\nidx 0 41\n");
        Files.createDirectories(app.resolve("0_1/rocksdb/" + ColoTopology.STORE));
        assertThat(StateDirectoryCheck.problem(app, ColoTopology.STORE)).isEmpty();
    }

    @Test
    void shouldNameAnUnreadableCheckpoint() throws Exception {
        Path app = tmp.resolve("app");
        createStore(app.resolve("0_2"));
        Files.writeString(app.resolve("0_2/.checkpoint"), "garbage\n");
        assertThat(StateDirectoryCheck.problem(app, ColoTopology.STORE)).hasValueSatisfying(p ->
                assertThat(p).contains("checkpoint", app.resolve("0_2/.checkpoint").toString()));
    }

    @Test
    void shouldNameAGarbledStoreAndWipeIt() throws Exception {
        Path app = tmp.resolve("app");
        Path db = createStore(app.resolve("0_0"));
        try (Stream<Path> files = Files.list(db)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.write(f, "not rocksdb at all, not rocksdb at all, not rocksdb at all".getBytes(StandardCharsets.UTF_8));
            }
        }
        assertThat(StateDirectoryCheck.problem(app, ColoTopology.STORE)).hasValueSatisfying(p -> assertThat(p).contains(db.toString()));
        StateDirectoryCheck.wipe(app);
        assertThat(app).doesNotExist();
    }

    /** A store shaped like Streams' timestamped key-value store: default + keyValueWithTimestamp column families. */
    private static Path createStore(Path task) throws Exception {
        Path db = task.resolve("rocksdb").resolve(ColoTopology.STORE);
        Files.createDirectories(db);
        RocksDB.loadLibrary();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
             RocksDB rocks = RocksDB.open(options, db.toString(), List.of(
                     new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                     new ColumnFamilyDescriptor("keyValueWithTimestamp".getBytes(StandardCharsets.UTF_8))), handles);
             FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            rocks.put(handles.get(1), "acme".getBytes(StandardCharsets.UTF_8), new byte[40]);
            rocks.flush(flush, handles);
            handles.forEach(ColumnFamilyHandle::close);
        }
        return db;
    }
}
