package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.common.api.DigestReport;
import io.tenantindex.launcher.ClientCommands.Verify.Partitions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** verify's digest comparison: both sides' positions are the offset of the last record applied. */
class VerifyPartitionsTest {
    private static DigestReport.Partition hash(String hash) {
        return new DigestReport.Partition(hash, 1);
    }

    @Test
    void shouldNameDifferingPartitionsAndThoseWhereTheColoIsBehindTheWriter() {
        DigestReport writer = DigestReport.ofWriter("x", 3, Map.of(0, hash("a"), 1, hash("b"), 2, hash("c")),
                Map.of(0, 4L, 1, 9L, 2, 5L));
        DigestReport colo = DigestReport.ofColo("ORD", true, "y", 3, Map.of(0, hash("a"), 1, hash("B"), 2, hash("C")),
                Map.of(0, 4L, 1, 7L, 2, 6L));
        Partitions compared = Partitions.compare(writer, colo);
        assertThat(compared.differing()).containsExactly(1, 2);
        assertThat(compared.behind()).as("partition 2 differs although the colo is ahead").containsExactly(1);
    }

    @Test
    void shouldCountAPartitionTheColoDoesNotReportAsDifferingAndBehind() {
        DigestReport writer = DigestReport.ofWriter("x", 1, Map.of(0, hash("a")), Map.of(0, 0L));
        DigestReport colo = DigestReport.ofColo("SIN", false, "0", 0, Map.of(), Map.of());
        Partitions compared = Partitions.compare(writer, colo);
        assertThat(compared.differing()).containsExactly(0);
        assertThat(compared.behind()).containsExactly(0);
    }
}
