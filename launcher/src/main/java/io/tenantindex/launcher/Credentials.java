package io.tenantindex.launcher;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The local stack's bearer tokens: taken from {@code TENANT_INDEX_WRITER_TOKEN} /
 * {@code TENANT_INDEX_ADMIN_TOKEN} when set, otherwise generated once at first start into
 * {@code <data-dir>/credentials/} (owner-only files) and reused on every later start. The CLI
 * reads the same files, so local use needs no copying of tokens.
 */
public record Credentials(String writerToken, String adminToken, Path directory) {
    static final String WRITER_FILE = "writer.token";
    static final String ADMIN_FILE = "admin.token";
    private static final SecureRandom RANDOM = new SecureRandom();

    static Path directory(Path dataDir) {
        return dataDir.resolve("credentials");
    }

    /** The tokens the stack runs with: explicit settings win, then the files, then new files. */
    static Credentials loadOrCreate(Path dataDir, Settings settings) {
        Path dir = directory(dataDir);
        String writer = settings.has(ConfigKeys.WRITER_TOKEN) ? settings.required(ConfigKeys.WRITER_TOKEN)
                : read(dir.resolve(WRITER_FILE)).orElseGet(() -> create(dir.resolve(WRITER_FILE)));
        String admin = settings.has(ConfigKeys.ADMIN_TOKEN) ? settings.required(ConfigKeys.ADMIN_TOKEN)
                : read(dir.resolve(ADMIN_FILE)).orElseGet(() -> create(dir.resolve(ADMIN_FILE)));
        return new Credentials(writer, admin, dir);
    }

    static Optional<String> read(Path file) {
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim()) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read token file " + file, e);
        }
    }

    private static String create(Path file) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        try {
            // Owner-only from the moment each exists: never readable by others, not even briefly.
            Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write token file " + file, e);
        }
        return token;
    }

    Settings applyTo(Settings settings) {
        return settings.with(ConfigKeys.WRITER_TOKEN, writerToken).with(ConfigKeys.ADMIN_TOKEN, adminToken);
    }

    @Override
    public String toString() {
        return "Credentials[in " + directory + "]";
    }
}
