package io.tenantindex.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.server.ServerSocketFactory;

/**
 * Listening sockets bound before the server that uses them starts, and handed to it when it opens
 * its listeners. A port picked by binding and releasing it can be taken by another process before
 * the broker binds it; a socket held from reservation to hand-over cannot. Port 0 asks the OS for
 * a free port; a restarted node asks for the port it had, since the other nodes know it by that.
 */
final class PreboundSockets implements ServerSocketFactory {
    private static final int BACKLOG = 50;

    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, ServerSocketChannel> unclaimed = new LinkedHashMap<>();

    /** Binds one loopback socket per listener name (name → port, 0 = any free port). */
    PreboundSockets(Map<String, Integer> requested) {
        try {
            for (Map.Entry<String, Integer> listener : requested.entrySet()) {
                ServerSocketChannel channel = ServerSocketChannel.open();
                unclaimed.put(listener.getKey(), channel);
                channel.configureBlocking(false);
                channel.socket().setReuseAddress(true);
                channel.socket().bind(new InetSocketAddress("127.0.0.1", listener.getValue()), BACKLOG);
                ports.put(listener.getKey(), channel.socket().getLocalPort());
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot reserve Kafka listener ports " + requested, e);
        }
    }

    /** Listener name → the port reserved for it. */
    Map<String, Integer> ports() {
        return Map.copyOf(ports);
    }

    @Override
    public synchronized ServerSocketChannel openServerSocket(String listenerName, InetSocketAddress address,
            int listenBacklogSize, int recvBufferSize) throws IOException {
        ServerSocketChannel channel = unclaimed.remove(listenerName);
        if (channel == null) {
            throw new IOException("no socket reserved for listener " + listenerName + " (" + address + ")");
        }
        if (recvBufferSize > 0) {
            channel.socket().setReceiveBufferSize(recvBufferSize);
        }
        return channel;
    }

    /** Closes the sockets no server claimed (a start that failed before it opened them all). */
    synchronized void close() {
        unclaimed.values().forEach(channel -> {
            try {
                channel.close();
            } catch (IOException e) {
                // Nothing listens on it; the OS frees the port with the process at the latest.
            }
        });
        unclaimed.clear();
    }
}
