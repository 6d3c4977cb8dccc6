package io.tenantindex.writer;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.common.api.RegistrationBody;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming read accepts exactly what the tree reading accepts, with the same result, and hands every other body to it. */
class StreamingRegistrationTest {
    private static final List<String> VALID = List.of(
            "{\"metadata\":{\"tier\":\"free\"}}",
            "{\"coloHint\":\"SJC\",\"metadata\":{\"tier\":\"PRO\",\"features\":[\"ws\",\"kv\"],\"maxConnections\":100,\"region\":\"us\"}}",
            "{\"metadata\":{\"region\":null,\"maxConnections\":null,\"features\":null,\"tier\":\"enterprise\"},\"coloHint\":null,\"expectedVersion\":null}",
            "  {\"expectedVersion\":9223372036854775807,\"metadata\":{\"tier\":\"pro\",\"maxConnections\":0,\"features\":[]}} \n",
            "{\"metadata\":{\"tier\":\"pro\",\"maxConnections\":2147483647,\"region\":\"" + "r".repeat(128) + "\"}}",
            "{\"metadata\":{\"tier\":\"pro\",\"features\":[\"é-漢字-😀\"]},\"expectedVersion\":1}");

    private static final List<String> INVALID = List.of(
            "", "[]", "null", "5", "\"x\"", "{", "{\"metadata\":", "{\"metadata\":{\"tier\":\"pro\"}}}",
            "{\"metadata\":{\"tier\":\"pro\"}} {}", "{\"metadata\":{\"tier\":\"pro\"}} x",
            "{\"coloHint\":\"SJC\"}", "{\"metadata\":null}", "{\"metadata\":[]}", "{\"metadata\":{}}",
            "{\"metadata\":{\"tier\":5}}", "{\"metadata\":{\"tier\":\"gold\"}}", "{\"metadata\":{\"tier\":null}}",
            "{\"metadata\":{\"tier\":\"pro\",\"tier\":\"free\"}}", "{\"metadata\":{\"tier\":\"pro\"},\"metadata\":{\"tier\":\"pro\"}}",
            "{\"metadata\":{\"tier\":\"pro\"},\"coloHint\":\"a\",\"coloHint\":\"b\"}",
            "{\"metadata\":{\"tier\":\"pro\",\"features\":[],\"features\":[]}}",
            "{\"metadata\":{\"tier\":\"pro\"},\"owner\":\"x\"}", "{\"metadata\":{\"tier\":\"pro\",\"colour\":1}}",
            "{\"metadata\":{\"tier\":\"pro\",\"maxConnections\":1.5}}", "{\"metadata\":{\"tier\":\"pro\",\"maxConnections\":\"100\"}}",
            "{\"metadata\":{\"tier\":\"pro\",\"maxConnections\":99999999999}}", "{\"metadata\":{\"tier\":\"pro\",\"maxConnections\":-1}}",
            "{\"metadata\":{\"tier\":\"pro\",\"features\":[1]}}", "{\"metadata\":{\"tier\":\"pro\",\"features\":[\"\"]}}",
            "{\"metadata\":{\"tier\":\"pro\",\"features\":\"ws\"}}", "{\"metadata\":{\"tier\":\"pro\",\"features\":[[\"ws\"]]}}",
            "{\"metadata\":{\"tier\":\"pro\",\"features\":[\"" + "f".repeat(129) + "\"]}}",
            "{\"metadata\":{\"tier\":\"pro\",\"features\":[" + "\"f\",".repeat(64) + "\"g\"]}}",
            "{\"metadata\":{\"tier\":\"pro\",\"region\":\"" + "r".repeat(129) + "\"}}", "{\"metadata\":{\"tier\":\"pro\",\"region\":1}}",
            "{\"metadata\":{\"tier\":\"pro\"},\"coloHint\":{}}", "{\"metadata\":{\"tier\":\"pro\"},\"expectedVersion\":0}",
            "{\"metadata\":{\"tier\":\"pro\"},\"expectedVersion\":1.0}", "{\"metadata\":{\"tier\":\"pro\"},\"expectedVersion\":\"1\"}",
            "{\"metadata\":{\"tier\":\"pro\"},\"expectedVersion\":99999999999999999999}",
            "{\"metadata\":{\"tier\":\"pro\"},\"tenantId\":null}", "{\"metadata\":{\"tier\":\"pro\"},\"tenantId\":5}",
            "{\"metadata\":{\"tier\":\"pro\"},\"tenantId\":\"other\"}", "{\"metadata\":{\"tier\":\"pro\"},\"tenantId\":\"-bad\"}",
            "{\"metadata\":{\"tier\":\"pro\"},\"tenantId\":\"a b\"}", "{\"metadata\":{\"tier\":\"pro\"},\"tenantId\":\"acme\",\"tenantId\":\"acme\"}");

    @Test
    void shouldReadTheFieldsOfTheDocumentedBody() {
        assertThat(StreamingRegistration.FIELDS).isEqualTo(RegistrationBody.FIELDS);
        assertThat(StreamingRegistration.METADATA_FIELDS).isEqualTo(RegistrationBody.METADATA_FIELDS);
    }

    @Test
    void shouldReadEveryValidBodyAsTheTreeDoes() {
        for (String body : VALID) {
            String withId = body.replaceFirst("\\{", "{\"tenantId\":\"acme\",");
            assertThat(StreamingRegistration.parse(bytes(body), "acme")).as(body).isEqualTo(RegistrationRequest.parseTree(bytes(body), "acme"));
            assertThat(StreamingRegistration.parse(bytes(withId), "acme")).as(withId).isNotNull()
                    .isEqualTo(RegistrationRequest.parseTree(bytes(withId), "acme"));
            assertThat(StreamingRegistration.parseImportLine(withId)).as(withId).isNotNull()
                    .isEqualTo(RegistrationRequest.parseImportLineTree(withId));
        }
        assertThat(StreamingRegistration.parse(bytes(VALID.get(0)), "acme")).isNotNull();
    }

    @Test
    void shouldLeaveEveryOtherBodyToTheTree() {
        for (String body : INVALID) {
            assertThat(StreamingRegistration.parse(bytes(body), "acme")).as(body).isNull();
            String line = body.contains("tenantId") ? body : body.replaceFirst("\\{", "{\"tenantId\":\"acme\",");
            RegistrationRequest streamed = StreamingRegistration.parseImportLine(line);
            if (streamed != null) {
                // Only a line that names another (valid) tenant is valid here and not as a PUT for "acme".
                assertThat(streamed).as(line).isEqualTo(RegistrationRequest.parseImportLineTree(line));
                assertThat(streamed.tenantId()).as(line).isEqualTo("other");
            }
        }
        assertThat(StreamingRegistration.parseImportLine(VALID.get(0))).as("a line without tenantId").isNull();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
