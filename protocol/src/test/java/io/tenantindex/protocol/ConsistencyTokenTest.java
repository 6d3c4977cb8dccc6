package io.tenantindex.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class ConsistencyTokenTest {
    private static final String TOPIC = "tenant-index";

    private static ConsistencyToken token(int partitions, Map<Integer, Long> offsets) {
        return new ConsistencyToken(TOPIC, partitions, new TreeMap<>(offsets));
    }

    private static void assertInvalid(ThrowingCallable call, String as) {
        assertThatThrownBy(call).as(as).isInstanceOfSatisfying(TenantIndexException.class,
                e -> assertThat(e.type()).isEqualTo(ErrorType.INVALID_TOKEN));
    }

    private static String base64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String v1(String raw) {
        return Base64.getUrlEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldRoundTripAVectorAsCompactUrlSafeOpaqueText() {
        ConsistencyToken token = token(6, Map.of(0, 0L, 2, 127L, 3, 128L, 5, Long.MAX_VALUE));
        String encoded = token.encode();
        assertThat(encoded).matches("[A-Za-z0-9_-]+");
        assertThat(ConsistencyToken.decode(encoded, TOPIC, 6)).isEqualTo(token);
        // Every one of six partitions at a billion records still fits a short header.
        Map<Integer, Long> all = new TreeMap<>();
        for (int p = 0; p < 6; p++) {
            all.put(p, 1_000_000_000L + p);
        }
        assertThat(token(6, all).encode()).hasSizeLessThan(60);
    }

    @Test
    void shouldPinTheV2WireFormatThatTheReadmeDocuments() throws Exception {
        // 0x02, the first 4 bytes of SHA-256("tenant-index"), count 3, 2 entries, (0, 5), (2, 300 = 0xAC 0x02).
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(2);
        bytes.write(Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(TOPIC.getBytes(StandardCharsets.UTF_8)), 4));
        bytes.write(new byte[] {3, 2, 0, 5, 2, (byte) 0xAC, 0x02});
        assertThat(token(3, Map.of(0, 5L, 2, 300L)).encode()).isEqualTo(base64(bytes.toByteArray()));
        // The README's example: tenant-index of 6 partitions, partition 1 at offset 2.
        assertThat(ConsistencyToken.of(TOPIC, 6, 1, 2).encode()).isEqualTo("AjL8pJYGAQEC");
    }

    @Test
    void shouldStillAcceptV1TokensAsOneEntryVectors() {
        // Tokens as the writer encoded them before v2 (the README's walk-through showed these).
        assertThat(ConsistencyToken.decode("djE6dGVuYW50LWluZGV4OjE6Mg", TOPIC, 3)).isEqualTo(ConsistencyToken.of(TOPIC, 3, 1, 2));
        assertThat(ConsistencyToken.decode("djE6dGVuYW50LWluZGV4OjE6Ng", TOPIC, 3)).isEqualTo(ConsistencyToken.of(TOPIC, 3, 1, 6));
        // A v1 token merges into a session like any other.
        ConsistencyToken merged = ConsistencyToken.decode("djE6dGVuYW50LWluZGV4OjE6Ng", TOPIC, 3).merge(ConsistencyToken.of(TOPIC, 3, 0, 9));
        assertThat(merged.offsets()).containsExactly(Map.entry(0, 9L), Map.entry(1, 6L));
    }

    @Test
    void shouldMergeByTakingTheLargerOffsetOfEveryPartition() {
        ConsistencyToken a = token(4, Map.of(0, 10L, 1, 7L));
        ConsistencyToken b = token(4, Map.of(1, 9L, 3, 2L));
        ConsistencyToken expected = token(4, Map.of(0, 10L, 1, 9L, 3, 2L));
        assertThat(a.merge(b)).isEqualTo(expected);
        assertThat(b.merge(a)).isEqualTo(expected);
        assertThat(a.merge(a)).isEqualTo(a);
        assertThat(expected.merge(a)).isEqualTo(expected);
    }

    @Test
    void shouldRefuseToMergeTokensOfAnotherTopicOrPartitionCount() {
        ConsistencyToken a = ConsistencyToken.of(TOPIC, 3, 0, 1);
        assertInvalid(() -> a.merge(ConsistencyToken.of("other-topic", 3, 0, 1)), "other topic");
        assertInvalid(() -> a.merge(ConsistencyToken.of(TOPIC, 4, 0, 1)), "other partition count");
    }

    @Test
    void shouldRejectTokensOfAnotherTopicOrPartitionCount() {
        String v2 = ConsistencyToken.of(TOPIC, 3, 1, 4).encode();
        assertInvalid(() -> ConsistencyToken.decode(ConsistencyToken.of("other-topic", 3, 1, 4).encode(), TOPIC, 3), "v2 other topic");
        assertInvalid(() -> ConsistencyToken.decode(v2, TOPIC, 4), "v2 other partition count");
        assertInvalid(() -> ConsistencyToken.decode(v1("v1:other-topic:0:1"), TOPIC, 3), "v1 other topic");
        assertInvalid(() -> ConsistencyToken.decode(v1("v1:tenant-index:3:1"), TOPIC, 3), "v1 partition beyond the count");
    }

    @Test
    void shouldRejectMalformedTokensAsInvalidToken() {
        byte[] good = Base64.getUrlDecoder().decode(token(3, Map.of(0, 5L, 2, 300L)).encode());
        byte[] truncated = Arrays.copyOf(good, good.length - 1);
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        byte[] unordered = good.clone();
        unordered[good.length - 3] = 0; // the second entry's partition: 2 → 0, not after the first
        byte[] beyond = good.clone();
        beyond[good.length - 3] = 3;
        byte[] noEntries = Arrays.copyOf(good, 7);
        noEntries[6] = 0;
        byte[] tooManyEntries = good.clone();
        tooManyEntries[6] = 4;
        byte[] hugeOffset = Arrays.copyOf(good, 18);
        hugeOffset[6] = 1;
        Arrays.fill(hugeOffset, 8, 17, (byte) 0xFF);
        hugeOffset[17] = 1; // a tenth varint byte: more than a non-negative long
        for (byte[] bad : new byte[][] {truncated, trailing, unordered, beyond, noEntries, tooManyEntries, hugeOffset,
                {2}, {2, 1, 2}}) {
            assertInvalid(() -> ConsistencyToken.decode(base64(bad), TOPIC, 3), Arrays.toString(bad));
        }
        for (String bad : new String[] {"%%%", "", "djE6dGVuYW50LWluZGV4", v1("v1:tenant-index:x:1"), v1("v1:tenant-index:0:-4"),
                v1("v3:tenant-index:0:1")}) {
            assertInvalid(() -> ConsistencyToken.decode(bad, TOPIC, 3), bad);
        }
    }
}
