package io.tenantindex.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeEventTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void shouldWriteTheWireNamesAndLeaveOutWhatAnEventDoesNotCarry() throws Exception {
        assertThat(MAPPER.writeValueAsString(ChangeEvent.snapshotEnd("tok")))
                .isEqualTo("{\"type\":\"snapshot-end\",\"token\":\"tok\"}");
        assertThat(MAPPER.writeValueAsString(ChangeEvent.delete("acme", 5, "tok")))
                .isEqualTo("{\"type\":\"delete\",\"tenantId\":\"acme\",\"version\":5,\"token\":\"tok\"}");
        assertThat(ChangeEvent.Type.SNAPSHOT_END.wireName()).isEqualTo("snapshot-end");
    }

    @Test
    void shouldReadBackWhatItWrites() throws Exception {
        TenantEntry entry = new TenantEntry("acme", "00ff", "ORD", 4,
                new TenantEntry.Metadata("pro", List.of("ws"), null, "us"), 1L, 2L);
        ChangeEvent upsert = ChangeEvent.upsert(entry, "tok");
        assertThat(MAPPER.readValue(MAPPER.writeValueAsString(upsert), ChangeEvent.class)).isEqualTo(upsert);
    }
}
