package io.tenantindex.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.ServerSocketChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A reserved port stays taken from reservation until the server that claims it closes it. */
class PreboundSocketsTest {
    private PreboundSockets sockets;

    @BeforeEach
    void reserve() {
        Map<String, Integer> requested = new LinkedHashMap<>();
        requested.put(KraftNode.BROKER_LISTENER, 0);
        requested.put(KraftNode.CONTROLLER_LISTENER, 0);
        sockets = new PreboundSockets(requested);
    }

    @AfterEach
    void release() {
        sockets.close();
    }

    @Test
    void shouldHoldEveryReservedPortSoThatNobodyElseCanBindIt() {
        assertThat(sockets.ports()).containsOnlyKeys(KraftNode.BROKER_LISTENER, KraftNode.CONTROLLER_LISTENER);
        sockets.ports().values().forEach(port -> assertThatThrownBy(() -> {
            try (ServerSocket other = new ServerSocket()) {
                other.bind(new InetSocketAddress("127.0.0.1", port));
            }
        }).isInstanceOf(BindException.class));
    }

    @Test
    void shouldHandEachListenerItsOwnBoundSocketOnceAndRefuseUnreservedListeners() throws IOException {
        int port = sockets.ports().get(KraftNode.BROKER_LISTENER);
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        try (ServerSocketChannel channel = sockets.openServerSocket(KraftNode.BROKER_LISTENER, address, 50, -1)) {
            assertThat(channel.socket().getLocalPort()).isEqualTo(port);
            assertThatThrownBy(() -> sockets.openServerSocket(KraftNode.BROKER_LISTENER, address, 50, -1))
                    .isInstanceOf(IOException.class).hasMessageContaining(KraftNode.BROKER_LISTENER);
            assertThatThrownBy(() -> sockets.openServerSocket("SASL_PLAINTEXT", address, 50, -1))
                    .isInstanceOf(IOException.class).hasMessageContaining("SASL_PLAINTEXT");
        }
    }

    @Test
    void shouldReleaseUnclaimedPortsOnClose() throws IOException {
        int port = sockets.ports().get(KraftNode.CONTROLLER_LISTENER);
        sockets.close();
        try (ServerSocket again = new ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(new InetSocketAddress("127.0.0.1", port));
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }
}
