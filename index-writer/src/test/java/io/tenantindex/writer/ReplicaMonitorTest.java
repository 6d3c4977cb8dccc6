package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplicaMonitorTest {

    @Test
    void shouldTellTheColoOfEveryInstanceAndGenerationFromItsGroup() {
        assertThat(ReplicaMonitor.coloOf("tenant-index-colo-ORD-ord-a")).isEqualTo("ORD");
        assertThat(ReplicaMonitor.coloOf("tenant-index-colo-SIN-host.example.com-t1-g2")).isEqualTo("SIN");
        assertThat(ReplicaMonitor.coloOf("tenant-index-colo-AMS")).isEqualTo("AMS");
    }
}
