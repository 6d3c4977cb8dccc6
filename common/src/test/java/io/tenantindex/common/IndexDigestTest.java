package io.tenantindex.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.common.IndexDigest.EntryHash;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class IndexDigestTest {
    /** A Confluent-framed value: magic byte, schema id, then the body. */
    private static byte[] framed(int schemaId, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[5 + b.length];
        out[1] = (byte) (schemaId >>> 24);
        out[2] = (byte) (schemaId >>> 16);
        out[3] = (byte) (schemaId >>> 8);
        out[4] = (byte) schemaId;
        System.arraycopy(b, 0, out, 5, b.length);
        return out;
    }

    @Test
    void shouldNotDependOnTheOrderEntriesArrive() {
        IndexDigest a = new IndexDigest(2);
        a.add(0, IndexDigest.entryHash("x", framed(1, "x@1")));
        a.add(1, IndexDigest.entryHash("y", framed(1, "y@3")));
        IndexDigest b = new IndexDigest(2);
        b.add(1, IndexDigest.entryHash("y", framed(1, "y@3")));
        b.add(0, IndexDigest.entryHash("x", framed(1, "x@1")));
        assertThat(a.totalHash()).isEqualTo(b.totalHash()).hasSize(32);
        assertThat(a.perPartition()).isEqualTo(b.perPartition());
    }

    @Test
    void shouldChangeWithTheContentAndReturnWhenTheChangeIsUndone() {
        IndexDigest d = new IndexDigest(1);
        EntryHash v1 = IndexDigest.entryHash("x", framed(1, "x@1"));
        d.add(0, v1);
        String first = d.totalHash();
        EntryHash sameVersionOtherContent = IndexDigest.entryHash("x", framed(1, "x@1 with other metadata"));
        d.replace(0, v1, sameVersionOtherContent);
        assertThat(d.totalHash()).isNotEqualTo(first);
        d.replace(0, sameVersionOtherContent, null);
        assertThat(d.totalEntries()).isZero();
        d.add(0, v1);
        assertThat(d.totalHash()).isEqualTo(first);
    }

    @Test
    void shouldHashTheAvroBodyNotTheSchemaIdTheRegistryHandedOut() {
        assertThat(IndexDigest.entryHash("x", framed(1, "body"))).isEqualTo(IndexDigest.entryHash("x", framed(7, "body")));
        assertThat(IndexDigest.entryHash("x", framed(1, "body"))).isNotEqualTo(IndexDigest.entryHash("y", framed(1, "body")));
        // The id's length is part of the hash: moving bytes between the id and the value changes it.
        assertThat(IndexDigest.entryHash("xb", framed(1, "ody"))).isNotEqualTo(IndexDigest.entryHash("x", framed(1, "body")));
    }

    @Test
    void shouldHashAValueAfterAnOffsetAsTheSameValueOnItsOwn() {
        byte[] value = framed(3, "body");
        byte[] prefixed = new byte[8 + value.length];
        System.arraycopy(value, 0, prefixed, 8, value.length);
        assertThat(IndexDigest.entryHash("x".getBytes(StandardCharsets.UTF_8), prefixed, 8))
                .isEqualTo(IndexDigest.entryHash("x", value));
    }
}
