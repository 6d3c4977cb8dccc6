package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.common.TenantIds;
import io.tenantindex.schemas.TenantMetadata;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.Tier;
import io.tenantindex.common.IndexDigest;
import io.tenantindex.common.feed.ChangeRing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TenantViewTest {
    private static TenantRegistration reg(String id, long version) {
        return TenantRegistration.newBuilder().setTenantId(id).setDoId(TenantIds.doIdFor(id)).setVersion(version)
                .setRegisteredAt(1).setUpdatedAt(1)
                .setMetadata(TenantMetadata.newBuilder().setTier(Tier.free).setFeatures(List.of()).build()).build();
    }

    private static void put(TenantView view, String id, long version) {
        view.apply(id, reg(id, version), encoded(id + "@" + version), 0, view.partitionOf(id), version);
    }

    /** Stands for a value's bytes on the topic: the Confluent prefix (schema id 1), then a body. */
    private static byte[] encoded(String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[5 + b.length];
        out[4] = 1;
        System.arraycopy(b, 0, out, 5, b.length);
        return out;
    }

    @Test
    void shouldPageLiveTenantsInKeyOrderWithACursorUntilTheLastPage() {
        TenantView view = new TenantView(3, new ChangeRing(3, 16));
        List<String> ids = IntStream.range(0, 25).mapToObj(i -> String.format("t%02d", 24 - i)).toList();
        ids.forEach(id -> put(view, id, 1));
        put(view, "t03", 2);
        view.apply("t07", null, null, 1, view.partitionOf("t07"), 99);

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            TenantView.Page page = view.page(cursor, 10);
            page.items().forEach(r -> seen.add(r.getTenantId()));
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null);

        assertThat(seen).isSorted().hasSize(24).doesNotContain("t07").doesNotHaveDuplicates();
        assertThat(pages).isEqualTo(3);
        assertThat(view.page("t02", 1).items()).extracting(TenantRegistration::getVersion).containsExactly(2L);
    }

    @Test
    void shouldEndWithANullCursorWhenThePageIsExactlyFull() {
        TenantView view = new TenantView(2, new ChangeRing(2, 16));
        put(view, "a", 1);
        put(view, "b", 1);
        assertThat(view.page(null, 2).nextCursor()).isNull();
        assertThat(view.page(null, 1).nextCursor()).isEqualTo("a");
        assertThat(view.page("b", 5).items()).isEmpty();
    }

    @Test
    void shouldListAReRegisteredTenantAgain() {
        TenantView view = new TenantView(2, new ChangeRing(2, 16));
        put(view, "x", 1);
        view.apply("x", null, null, 1, view.partitionOf("x"), 2);
        assertThat(view.page(null, 10).items()).isEmpty();
        put(view, "x", 2);
        assertThat(view.page(null, 10).items()).extracting(TenantRegistration::getTenantId).containsExactly("x");
    }

    @Test
    void shouldDigestTheBytesOnTheTopicSoThatOtherContentAtTheSameVersionShows() {
        TenantView view = new TenantView(2, new ChangeRing(2, 16));
        int p = view.partitionOf("x");
        view.apply("x", reg("x", 1), encoded("first"), 0, p, 0);
        view.apply("y", reg("y", 1), encoded("y"), 0, view.partitionOf("y"), 0);
        IndexDigest expected = new IndexDigest(2);
        expected.add(p, IndexDigest.entryHash("x", encoded("first")));
        expected.add(view.partitionOf("y"), IndexDigest.entryHash("y", encoded("y")));
        assertThat(view.digest().digest()).isEqualTo(expected.totalHash());

        view.apply("x", reg("x", 1), encoded("other content, same version"), 0, p, 1);
        expected.replace(p, IndexDigest.entryHash("x", encoded("first")), IndexDigest.entryHash("x", encoded("other content, same version")));
        assertThat(view.digest().digest()).isEqualTo(expected.totalHash());
        assertThat(view.digest().partitions()).isEqualTo(expected.perPartition());

        view.apply("x", null, null, 1, p, 2);
        assertThat(view.digest().entries()).isEqualTo(1);
        assertThat(view.digest().position(p)).isEqualTo(2);
    }
}
