package io.tenantindex.colo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.registry.InMemorySchemaRegistry;
import io.tenantindex.schemas.serde.ConfluentAvroSerializer;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AnswerCacheTest {
    private static final ConfluentAvroSerializer<TenantRegistration> SERIALIZER =
            new ConfluentAvroSerializer<>(new InMemorySchemaRegistry(1), true, false);
    private final AnswerCache cache = new AnswerCache(2, 1 << 20);
    private final byte[] v1 = value("acme", 1);
    private final byte[] v2 = value("acme", 2);

    private static byte[] value(String tenantId, long version) {
        return SERIALIZER.serialize("tenant-index", Registrations.of(tenantId, version));
    }

    @Test
    void shouldRememberWhatAReadAnsweredWhenNothingWasAppliedMeanwhile() {
        long writes = cache.writes(0);
        assertThat(cache.fill(0, "acme", writes, v1)).isSameAs(v1);
        assertThat(cache.get(0, "acme")).isSameAs(v1);
        assertThat(cache.get(1, "acme")).as("another partition's entries are its own").isNull();
    }

    @Test
    void shouldNotRememberAReadThatARecordAppliedMeanwhileMayHaveOvertaken() {
        long writes = cache.writes(0);
        cache.applied(0, "zeta");
        assertThat(cache.fill(0, "acme", writes, v1)).as("answered, not remembered").isSameAs(v1);
        assertThat(cache.get(0, "acme")).isNull();
    }

    @Test
    void shouldDropATenantsEntryWhenItsNextRecordIsApplied() {
        cache.fill(0, "acme", cache.writes(0), v1);
        cache.applied(0, "acme");
        assertThat(cache.get(0, "acme")).isNull();
        assertThat(cache.fill(0, "acme", cache.writes(0), v2)).isSameAs(v2);
        assertThat(cache.get(0, "acme")).isSameAs(v2);
    }

    @Test
    void shouldAnswerWhatTheFirstFillRememberedSoThatLookupsAfterOneWriteAgree() {
        long writes = cache.writes(0);
        cache.fill(0, "acme", writes, v1);
        assertThat(cache.fill(0, "acme", writes, v2)).isSameAs(v1);
    }

    @Test
    void shouldForgetAPartitionWhoseStoreIsReopenedAndKeepReadsFromBeforeOut() {
        byte[] zeta = value("zeta", 1);
        cache.fill(0, "acme", cache.writes(0), v1);
        cache.fill(1, "zeta", cache.writes(1), zeta);
        long before = cache.writes(0);
        cache.reset(0);
        assertThat(cache.get(0, "acme")).isNull();
        assertThat(cache.get(1, "zeta")).isSameAs(zeta);
        cache.fill(0, "acme", before, v1);
        assertThat(cache.get(0, "acme")).as("read from the store before it was reopened").isNull();
    }

    @Test
    void shouldTellApartTenantsWhoseIdsHashAlikeAndDropOnlyTheOneApplied() {
        // "Aa" and "BB" have the same String hash, so these ids share a set and a slot hash.
        String first = "tn-Aa";
        String second = "tn-BB";
        assertThat(first.hashCode()).isEqualTo(second.hashCode());
        byte[] firsts = value(first, 1);
        byte[] seconds = value(second, 1);
        cache.fill(0, first, cache.writes(0), firsts);
        assertThat(cache.get(0, second)).isNull();
        cache.fill(0, second, cache.writes(0), seconds);
        assertThat(cache.get(0, first)).isSameAs(firsts);
        assertThat(cache.get(0, second)).isSameAs(seconds);
        cache.applied(0, first);
        assertThat(cache.get(0, first)).isNull();
        assertThat(cache.get(0, second)).isSameAs(seconds);
    }

    @Test
    void shouldHoldAtMostItsSlotsAndAnswerEachTenantOnlyWithItsOwnEntry() {
        AnswerCache one = new AnswerCache(1, 1 << 20, AnswerCache.WAYS);
        List<String> ids = IntStream.range(0, 50).mapToObj(i -> "tn-" + i).toList();
        ids.forEach(id -> one.fill(0, id, one.writes(0), value(id, 1)));
        List<String> held = ids.stream().filter(id -> one.get(0, id) != null).toList();
        assertThat(held).hasSizeBetween(1, AnswerCache.WAYS);
        held.forEach(id -> assertThat(one.get(0, id)).isEqualTo(value(id, 1)));
    }

    @Test
    void shouldHoldNoMoreBytesThanItsBound() {
        int entry = value("tn-0", 1).length + AnswerCache.ENTRY_OVERHEAD;
        AnswerCache small = new AnswerCache(1, 10L * entry + entry / 2, 64);
        List<String> ids = IntStream.range(0, 40).mapToObj(i -> "tn-" + i).toList();
        ids.forEach(id -> small.fill(0, id, small.writes(0), value(id, 1)));
        assertThat(ids.stream().filter(id -> small.get(0, id) != null)).hasSize(10);
        assertThat(small.heldBytes()).isEqualTo(10L * entry);

        ids.forEach(id -> small.applied(0, id));
        assertThat(small.heldBytes()).as("dropped entries give their bytes back").isZero();
        small.fill(0, "tn-1", small.writes(0), value("tn-1", 2));
        small.reset(0);
        assertThat(small.heldBytes()).isZero();
    }

    @Test
    void shouldLetOnlyEverySixteenthFillIntoAFullSetSoUniformMissesDoNotChurnTheHeap() {
        AnswerCache one = new AnswerCache(1, 1 << 20, AnswerCache.WAYS);
        List<String> first = IntStream.range(0, AnswerCache.WAYS).mapToObj(i -> "old-" + i).toList();
        first.forEach(id -> one.fill(0, id, one.writes(0), value(id, 1)));
        assertThat(first).allSatisfy(id -> assertThat(one.get(0, id)).as(id).isNotNull());

        List<String> later = IntStream.range(0, 16).mapToObj(i -> "new-" + i).toList();
        later.forEach(id -> one.fill(0, id, one.writes(0), value(id, 1)));
        assertThat(later.stream().filter(id -> one.get(0, id) != null)).as("fills that replaced an entry").hasSize(1);
        assertThat(first.stream().filter(id -> one.get(0, id) != null)).as("entries still held").hasSize(AnswerCache.WAYS - 1);
    }

    /**
     * A cache bounded at what its tenants' values take holds nearly all of them, uniformly random as
     * they are: with sets of 4 at 96 bytes a slot, 3 % were left out (their sets full), and those
     * misses, each a RocksDB read, were the in-process lookup's p99.
     */
    @Test
    void shouldHoldNearlyEveryTenantWhenItsBoundHasRoomForAllOfThem() {
        List<String> ids = IntStream.range(0, 100_000).mapToObj(i -> String.format("tn-%08d", i)).toList();
        // The default bound's bytes per tenant at a million tenants (192 MiB), about 1.3 times what each takes.
        AnswerCache sized = new AnswerCache(1, ids.size() * ((192L << 20) / 1_000_000));
        ids.forEach(id -> sized.fill(0, id, sized.writes(0), value(id, 1)));
        long held = ids.stream().filter(id -> sized.get(0, id) != null).count();
        assertThat(held).as("tenants held of %d", ids.size()).isGreaterThanOrEqualTo(ids.size() * 999L / 1000);
    }

    @Test
    void shouldTakeAtMostItsShareOfTheHeap() {
        assertThat(AnswerCache.boundWithin(192L << 20, 1L << 30)).isEqualTo(192L << 20);
        assertThat(AnswerCache.boundWithin(192L << 20, 256L << 20)).isEqualTo((long) ((256L << 20) * AnswerCache.MAX_HEAP_SHARE));
    }

    @Test
    void shouldRememberNothingWhenOffOrBeyondItsPartitions() {
        AnswerCache off = new AnswerCache(2, 0);
        assertThat(off.fill(0, "acme", off.writes(0), v1)).isSameAs(v1);
        assertThat(off.get(0, "acme")).isNull();
        assertThat(cache.fill(2, "acme", cache.writes(2), v1)).isSameAs(v1);
        assertThat(cache.get(2, "acme")).isNull();
    }
}
