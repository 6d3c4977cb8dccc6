package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantindex.protocol.TenantIndexException;
import io.tenantindex.schemas.Tier;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RegistrationRequestTest {
    private static RegistrationRequest parse(String json) {
        return RegistrationRequest.parse(json.getBytes(StandardCharsets.UTF_8), "acme");
    }

    @Test
    void shouldParseTheDocumentedBody() {
        RegistrationRequest r = parse("{\"coloHint\":\"SJC\",\"metadata\":{\"tier\":\"pro\",\"features\":[\"ws\",\"kv\"],"
                + "\"maxConnections\":100,\"region\":\"us\"}}");
        assertThat(r.tenantId()).isEqualTo("acme");
        assertThat(r.coloHint()).isEqualTo("SJC");
        assertThat(r.metadata().getTier()).isEqualTo(Tier.pro);
        assertThat(r.metadata().getFeatures()).containsExactly("ws", "kv");
        assertThat(r.metadata().getMaxConnections()).isEqualTo(100);
        assertThat(r.expectedVersion()).isZero();
    }

    @Test
    void shouldDefaultOptionalFields() {
        RegistrationRequest r = parse("{\"metadata\":{\"tier\":\"free\"}}");
        assertThat(r.coloHint()).isNull();
        assertThat(r.metadata().getFeatures()).isEmpty();
        assertThat(r.metadata().getMaxConnections()).isNull();
        assertThat(r.metadata().getRegion()).isNull();
    }

    @Test
    void shouldNameTheOffendingFieldWhenRejecting() {
        assertThatThrownBy(() -> parse("{\"metadata\":{\"tier\":\"pro\",\"maxConnections\":1.5}}"))
                .isInstanceOf(TenantIndexException.class).hasMessageContaining("metadata.maxConnections");
        assertThatThrownBy(() -> parse("{\"metadata\":{\"tier\":\"pro\"},\"tenantId\":\"other\"}"))
                .hasMessageContaining("differs from the path");
        assertThatThrownBy(() -> parse("{\"metadata\":{\"tier\":\"pro\",\"colour\":1}}"))
                .hasMessageContaining("metadata.colour");
        assertThatThrownBy(() -> parse("{\"metadata\":{\"tier\":\"pro\"},\"expectedVersion\":0}"))
                .hasMessageContaining("expectedVersion");
        assertThatThrownBy(() -> RegistrationRequest.parseImportLine("{\"metadata\":{\"tier\":\"pro\"}}"))
                .hasMessageContaining("tenantId");
    }
}
