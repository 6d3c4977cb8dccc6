package io.tenantindex.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IndexDigestTest {
    @Test
    void shouldNotDependOnTheOrderEntriesArrive() {
        IndexDigest a = new IndexDigest(2);
        a.add(0, "x", 1);
        a.add(1, "y", 3);
        IndexDigest b = new IndexDigest(2);
        b.add(1, "y", 3);
        b.add(0, "x", 1);
        assertThat(a.totalHash()).isEqualTo(b.totalHash());
        assertThat(a.perPartition()).isEqualTo(b.perPartition());
    }

    @Test
    void shouldChangeWithAVersionAndReturnWhenTheChangeIsUndone() {
        IndexDigest d = new IndexDigest(1);
        d.add(0, "x", 1);
        String v1 = d.totalHash();
        d.replace(0, "x", 1, 2);
        assertThat(d.totalHash()).isNotEqualTo(v1);
        d.replace(0, "x", 2, 0);
        assertThat(d.totalEntries()).isZero();
        d.add(0, "x", 1);
        assertThat(d.totalHash()).isEqualTo(v1);
    }
}
