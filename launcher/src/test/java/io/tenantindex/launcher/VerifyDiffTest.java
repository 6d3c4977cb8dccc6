package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.launcher.VerifyCommand.Diff;
import io.tenantindex.launcher.VerifyCommand.Difference;
import io.tenantindex.launcher.VerifyCommand.Kind;
import io.tenantindex.protocol.TenantEntry;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class VerifyDiffTest {
    private static TenantEntry v(String id, long version) {
        return v(id, version, "free");
    }

    private static TenantEntry v(String id, long version, String tier) {
        return new TenantEntry(id, "d0", null, version, new TenantEntry.Metadata(tier, List.of(), null, null), 1, 1);
    }

    @Test
    void shouldNameMissingExtraAndOtherVersionTenantsOfTwoKeyOrderedListings() {
        Diff diff = Diff.of(List.of(v("a", 1), v("b", 2), v("d", 1), v("e", 3)).iterator(),
                List.of(v("b", 2), v("c", 1), v("d", 4), v("f", 1)).iterator(), 100);
        assertThat(diff.shown).containsExactly(
                new Difference("a", Kind.MISSING_IN_COLO, 1L, null),
                new Difference("c", Kind.EXTRA_IN_COLO, null, 1L),
                new Difference("d", Kind.VERSION_DIFFERS, 1L, 4L),
                new Difference("e", Kind.MISSING_IN_COLO, 3L, null),
                new Difference("f", Kind.EXTRA_IN_COLO, null, 1L));
        assertThat(diff.count).isEqualTo(5);
    }

    @Test
    void shouldNameATenantWithOtherContentAtTheSameVersion() {
        Diff diff = Diff.of(List.of(v("a", 2), v("b", 1)).iterator(), List.of(v("a", 2, "pro"), v("b", 1)).iterator(), 100);
        assertThat(diff.shown).containsExactly(new Difference("a", Kind.CONTENT_DIFFERS, 2L, 2L));
        assertThat(diff.count).isEqualTo(1);
    }

    @Test
    void shouldFindNothingInEqualListings() {
        List<TenantEntry> same = List.of(v("a", 1), v("b", 2));
        assertThat(Diff.of(same.iterator(), same.iterator(), 100).count).isZero();
        assertThat(Diff.of(List.<TenantEntry>of().iterator(), List.<TenantEntry>of().iterator(), 100).count).isZero();
    }

    @Test
    void shouldKeepTheFirstHundredAndCountTheRest() {
        List<TenantEntry> colo = IntStream.range(0, 250).mapToObj(i -> v(String.format("t%03d", i), 1)).toList();
        Diff diff = Diff.of(List.<TenantEntry>of().iterator(), colo.iterator(), VerifyCommand.SHOWN);
        assertThat(diff.shown).hasSize(100);
        assertThat(diff.shown.get(99).tenantId()).isEqualTo("t099");
        assertThat(diff.count).isEqualTo(250);
    }
}
