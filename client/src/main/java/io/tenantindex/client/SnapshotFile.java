package io.tenantindex.client;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tenantindex.protocol.TenantEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An embedded replica on disk, so a restarted router serves at once and resumes its feed from the
 * file's token: {@code {"format":1,"token":…,"savedAt":<epoch ms>,"entries":[<entry>,…]}}, streamed
 * both ways (never one string in memory). Written to a temporary file beside it, forced to disk and
 * renamed over it, so a crash leaves the old file or the new one, never half of one.
 */
final class SnapshotFile {
    static final int FORMAT = 1;

    /** What a file holds: entries at least as new as the token (they may include later changes, which a resume repeats harmlessly). */
    record Content(String token, Instant savedAt, Map<String, TenantEntry> entries) {
    }

    private SnapshotFile() {
    }

    /** Writes {@code entries} with {@code token}, replacing the file atomically. */
    static void write(Path file, String token, Instant savedAt, Iterable<TenantEntry> entries) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = Channels.newOutputStream(channel);
                try (JsonGenerator json = ClientJson.MAPPER.getFactory().createGenerator(out)) {
                    json.writeStartObject();
                    json.writeNumberField("format", FORMAT);
                    json.writeStringField("token", token);
                    json.writeNumberField("savedAt", savedAt.toEpochMilli());
                    json.writeArrayFieldStart("entries");
                    for (TenantEntry entry : entries) {
                        json.writeObject(entry);
                    }
                    json.writeEndArray();
                    json.writeEndObject();
                    json.flush();
                    channel.force(true);
                }
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The file's content; empty when there is no file. A file that is not one of these is an IOException. */
    static Optional<Content> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String token = null;
        Instant savedAt = null;
        Map<String, TenantEntry> entries = new HashMap<>();
        Integer format = null;
        try (JsonParser json = ClientJson.MAPPER.getFactory().createParser(file.toFile())) {
            expect(json.nextToken() == JsonToken.START_OBJECT, file);
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                json.nextToken();
                switch (field) {
                    case "format" -> format = json.getIntValue();
                    case "token" -> token = json.getValueAsString();
                    case "savedAt" -> savedAt = Instant.ofEpochMilli(json.getLongValue());
                    case "entries" -> {
                        expect(json.currentToken() == JsonToken.START_ARRAY, file);
                        while (json.nextToken() == JsonToken.START_OBJECT) {
                            TenantEntry entry = json.readValueAs(TenantEntry.class);
                            entries.put(entry.tenantId(), entry);
                        }
                    }
                    default -> json.skipChildren();
                }
            }
        }
        expect(format != null && format == FORMAT && token != null && savedAt != null, file);
        return Optional.of(new Content(token, savedAt, entries));
    }

    private static void expect(boolean condition, Path file) throws IOException {
        if (!condition) {
            throw new IOException(file + " is not an embedded-replica snapshot of format " + FORMAT);
        }
    }
}
