package io.tenantindex.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantEntry;
import io.tenantindex.protocol.TenantIndexException;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LookupClientTest {
    private static final TenantEntry.Metadata PRO = new TenantEntry.Metadata("pro", List.of("ws"), 10, "us");
    private final FakeColo near = FakeColo.startQuietly();
    private final FakeColo far = FakeColo.startQuietly();

    @AfterEach
    void stop() {
        near.close();
        far.close();
    }

    private static TenantEntry entry(String id, long version) {
        return new TenantEntry(id, "d0", null, version, PRO, 1L, 2L);
    }

    private static String deadUrl() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    private LookupClient client(String... colos) {
        return LookupClient.builder().colos(List.of(colos)).writer(near.url()).bearerToken("secret")
                .requestTimeout(Duration.ofMillis(500)).downFor(Duration.ofMinutes(1)).build();
    }

    @Test
    void shouldAskTheNearestColoAndReadA404AsNotRegistered() {
        near.tenants.put("acme", entry("acme", 3));
        LookupClient client = client(near.url(), far.url());

        assertThat(client.lookup("acme")).contains(entry("acme", 3));
        assertThat(client.lookup("nobody")).isEmpty();
        assertThat(far.lookups).hasValue(0);
    }

    @Test
    void shouldFailOverToTheNextColoWhenTheNearestIsDownAndTryItLastWhileItIsMarkedDown() throws Exception {
        far.tenants.put("acme", entry("acme", 3));
        LookupClient client = client(deadUrl(), far.url());

        assertThat(client.lookup("acme")).contains(entry("acme", 3));
        assertThat(client.lookup("acme")).contains(entry("acme", 3));
        assertThat(far.lookups).hasValue(2);
    }

    @Test
    void shouldFailOverOnA503AndOnATimeout() {
        near.lookupStatus = 503;
        far.tenants.put("acme", entry("acme", 3));
        assertThat(client(near.url(), far.url()).lookup("acme")).contains(entry("acme", 3));

        near.lookupStatus = 200;
        near.holdLookups = new CountDownLatch(1);
        assertThat(client(near.url(), far.url()).lookup("acme")).contains(entry("acme", 3));
        near.holdLookups.countDown();
        assertThat(far.lookups).hasValue(2);
    }

    @Test
    void shouldSayUnavailableWhenNoColoAnswers() throws Exception {
        assertThatThrownBy(() -> client(deadUrl(), deadUrl()).lookup("acme"))
                .isInstanceOfSatisfying(TenantIndexException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.UNAVAILABLE));
    }

    @Test
    void shouldSendTheSessionOnEveryWriteAndLookupAndKeepTheTokenOfEachAnswer() {
        LookupClient client = client(far.url());
        assertThat(client.sessionToken()).isEmpty();

        near.writeToken = "w1";
        TenantEntry written = client.put("acme", "SJC", PRO);
        assertThat(written.version()).isEqualTo(1);
        assertThat(written.coloHint()).isEqualTo("SJC");
        near.writeToken = "w2";
        client.delete("acme");
        assertThat(client.sessionToken()).contains("w2");
        client.lookup("acme");

        assertThat(near.tokens).containsExactly("", "w1");
        assertThat(far.tokens).containsExactly("w2");
    }

    @Test
    void shouldRefuseAWriteWithoutAWriterUrl() {
        LookupClient noToken = LookupClient.builder().colos(List.of(far.url())).build();
        assertThatThrownBy(() -> noToken.delete("acme")).isInstanceOf(IllegalStateException.class);
    }
}
