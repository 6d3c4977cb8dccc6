package io.tenantindex.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Loopback ports for the bench's child processes, reserved rather than guessed. A port the kernel
 * handed out for {@code bind(0)} and that was closed again is an ephemeral port, which the kernel
 * may give to the next outgoing connection (a Kafka client's, wrk's) before the child binds it.
 * So ports are taken below the kernel's ephemeral range, where no outgoing connection lands, each
 * checked bindable, and each held by a lock file for the life of this JVM, so neither this run nor
 * a second bench run on the machine hands it out twice.
 */
final class Ports {
    private static final Path LOCKS = Path.of(System.getProperty("java.io.tmpdir"), "tenant-index-bench-ports");
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 20_000;
    private static final List<FileLock> HELD = new ArrayList<>();
    private static int next = -1;

    private Ports() {
    }

    /** A port on 127.0.0.1 that nothing listens on and that no one else will be given while this JVM runs. */
    static synchronized int reserve() {
        if (next < 0) {
            next = ephemeralStart() - 1;
        }
        try {
            Files.createDirectories(LOCKS);
            for (; next >= LOWEST; next--) {
                int port = next;
                if (lock(port) && bindable(port)) {
                    next--;
                    return port;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no free port between " + LOWEST + " and the ephemeral range");
    }

    private static boolean lock(int port) throws IOException {
        FileChannel channel = FileChannel.open(LOCKS.resolve(port + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                HELD.add(lock);
                return true;
            }
        } catch (OverlappingFileLockException alreadyOurs) {
            // held by this JVM already
        }
        channel.close();
        return false;
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }

    /** The first port of the kernel's ephemeral range (Linux default 32768). */
    private static int ephemeralStart() {
        try {
            // Line by line: Files.readString returns only the first byte of this /proc/sys file (size 0).
            return Integer.parseInt(Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
