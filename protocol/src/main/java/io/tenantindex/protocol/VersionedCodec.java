package io.tenantindex.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Function;

/**
 * The encoding of the opaque strings the APIs hand out (consistency tokens, event cursors): URL-safe
 * base64 without padding of {@code <version>:<field>:…:<field>}. Clients treat them as blobs; the
 * version prefix lets a later format be told apart. Fields must not contain {@code ':'}.
 *
 * @param version the prefix, such as {@code v1}
 * @param fields  how many fields follow it
 */
public record VersionedCodec(String version, int fields) {

    public String encode(Object... values) {
        if (values.length != fields) {
            throw new IllegalArgumentException(version + " has " + fields + " fields, got " + values.length);
        }
        StringBuilder raw = new StringBuilder(version);
        for (Object value : values) {
            raw.append(':').append(value);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The fields of {@code encoded}, in order. A string that is not URL-safe base64, or not this
     * version with exactly {@link #fields} fields, is {@code invalid} applied to the reason
     * ({@code "is not URL-safe base64"} or {@code "is malformed"}).
     */
    public String[] decode(String encoded, Function<String, ? extends RuntimeException> invalid) {
        String raw;
        try {
            raw = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid.apply("is not URL-safe base64");
        }
        String[] parts = raw.split(":", -1);
        if (parts.length != fields + 1 || !version.equals(parts[0])) {
            throw invalid.apply("is malformed");
        }
        String[] values = new String[fields];
        System.arraycopy(parts, 1, values, 0, fields);
        return values;
    }
}
