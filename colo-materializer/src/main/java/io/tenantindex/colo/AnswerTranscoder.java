package io.tenantindex.colo;

import io.tenantindex.colo.IndexReplica.EncodedEntry;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.Tier;
import io.tenantindex.schemas.registry.SchemaRegistryClient;
import io.tenantindex.schemas.registry.SchemaRegistryException;
import io.tenantindex.schemas.serde.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * A stored value's answer, written straight from its Avro bytes: the same bytes as
 * {@link EncodedEntry#of(TenantRegistration)} of the decoded value, without decoding it into
 * objects. Why: most lookups of a large index miss the answer cache, and there the Avro decode and
 * the JSON encode were a fifth of the request threads' CPU and most of their garbage (JFR under
 * wrk, 1M tenants).
 *
 * <p>It reads only values whose writer schema has the binary layout it was written for
 * ({@link #LAYOUT}, the schema's parsing canonical form, which is also the generated class's), and
 * strings of valid UTF-8. Anything else (another schema id, a record it cannot read to its end)
 * is {@code null}: the caller decodes the value, which says what is wrong with a poison record.
 */
final class AnswerTranscoder {
    /** The parsing canonical form of the TenantRegistration schema whose layout {@link #transcode} reads. */
    static final String LAYOUT = "{\"name\":\"io.tenantindex.schemas.TenantRegistration\",\"type\":\"record\",\"fields\":["
            + "{\"name\":\"tenantId\",\"type\":\"string\"},{\"name\":\"doId\",\"type\":\"string\"},"
            + "{\"name\":\"coloHint\",\"type\":[\"null\",\"string\"]},{\"name\":\"version\",\"type\":\"long\"},"
            + "{\"name\":\"registeredAt\",\"type\":\"long\"},{\"name\":\"updatedAt\",\"type\":\"long\"},"
            + "{\"name\":\"metadata\",\"type\":{\"name\":\"io.tenantindex.schemas.TenantMetadata\",\"type\":\"record\",\"fields\":["
            + "{\"name\":\"tier\",\"type\":{\"name\":\"io.tenantindex.schemas.Tier\",\"type\":\"enum\",\"symbols\":[\"free\",\"pro\",\"enterprise\"]}},"
            + "{\"name\":\"features\",\"type\":{\"type\":\"array\",\"items\":\"string\"}},"
            + "{\"name\":\"maxConnections\",\"type\":[\"null\",\"int\"]},{\"name\":\"region\",\"type\":[\"null\",\"string\"]}]}}]}";
    /** Whether this build's generated class still has that layout: if not, nothing is transcoded (and a test fails). */
    static final boolean CLASS_HAS_LAYOUT = LAYOUT.equals(SchemaNormalization.toParsingForm(TenantRegistration.getClassSchema()));
    /** The tier symbols as JSON strings, by index (the generated enum's order is the schema's). */
    private static final List<byte[]> TIERS = Arrays.stream(Tier.values()).map(tier -> quoted(tier.name())).toList();
    // The answer's punctuation and field names, in its order.
    private static final byte[] TENANT_ID = ascii("{\"tenantId\":");
    private static final byte[] DO_ID = ascii(",\"doId\":");
    private static final byte[] COLO_HINT = ascii(",\"coloHint\":");
    private static final byte[] VERSION = ascii(",\"version\":");
    private static final byte[] TIER = ascii(",\"metadata\":{\"tier\":");
    private static final byte[] FEATURES = ascii(",\"features\":[");
    private static final byte[] MAX_CONNECTIONS = ascii("],\"maxConnections\":");
    private static final byte[] REGION = ascii(",\"region\":");
    private static final byte[] REGISTERED_AT = ascii("},\"registeredAt\":");
    private static final byte[] UPDATED_AT = ascii(",\"updatedAt\":");
    private static final byte[] NULL = ascii("null");
    private static final byte[] HEX = ascii("0123456789ABCDEF");
    /**
     * Each thread writes its answers into one buffer of its own and copies out only the answer: a
     * buffer per answer, grown as it went, was a quarter of the lookup threads' garbage (JFR under wrk).
     */
    private static final ThreadLocal<Out> SCRATCH = ThreadLocal.withInitial(Out::new);

    private final SchemaRegistryClient registry;
    /** Per schema id: whether its writer schema has {@link #LAYOUT}. */
    private final Map<Integer, Boolean> readable = new ConcurrentHashMap<>();
    /** The last id found readable: nearly every value has it, and the map's key would be boxed on every lookup. */
    private volatile int lastReadable = -1;

    AnswerTranscoder(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    /** The answer of the stored value {@code raw} (Confluent wire format), or null when it must be decoded instead. */
    EncodedEntry transcode(byte[] raw) {
        if (!readable(raw)) {
            return null;
        }
        Avro in = new Avro(raw, WireFormat.HEADER_SIZE);
        Out out = SCRATCH.get().reset();
        if (!in.answer(out) || in.pos != raw.length) {
            return null;
        }
        return new EncodedEntry(out.bytes(), in.version);
    }

    /**
     * Whether the value {@code value}, of the layout (as {@link AnswerCache} holds them), is the record
     * of {@code tenantId}, its first field. Tenant ids are ASCII ({@code TenantIds}), so a character
     * is a byte.
     */
    static boolean isOf(byte[] value, String tenantId) {
        Avro in = new Avro(value, WireFormat.HEADER_SIZE);
        long length = in.varLong();
        if (!in.ok || length != tenantId.length() || length > value.length - in.pos) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (value[in.pos + i] != (byte) tenantId.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code raw} is framed with a schema id whose layout {@link #transcode} reads (its Avro is not checked). */
    boolean readable(byte[] raw) {
        return raw.length >= WireFormat.HEADER_SIZE && raw[0] == WireFormat.MAGIC_BYTE && readable(WireFormat.schemaId(raw));
    }

    private boolean readable(int schemaId) {
        if (!CLASS_HAS_LAYOUT) {
            return false;
        }
        if (schemaId == lastReadable) {
            return true;
        }
        Boolean known = readable.get(schemaId);
        if (known != null) {
            return known;
        }
        Schema writer;
        try {
            writer = registry.getById(schemaId);
        } catch (SchemaRegistryException e) {
            return false; // decoded instead, which says whether the id is unknown or the registry unreachable
        }
        boolean same = LAYOUT.equals(SchemaNormalization.toParsingForm(writer));
        readable.put(schemaId, same);
        if (same) {
            lastReadable = schemaId;
        }
        return same;
    }

    /** One value's Avro binary, read in the order of {@link #LAYOUT}; any read past its end or out of range fails. */
    private static final class Avro {
        private final byte[] buf;
        private int pos;
        private boolean ok = true;
        private long version;

        Avro(byte[] buf, int pos) {
            this.buf = buf;
            this.pos = pos;
        }

        /** Writes the answer; false if the bytes are not a value of the layout. */
        boolean answer(Out out) {
            out.raw(TENANT_ID);
            string(out);
            out.raw(DO_ID);
            string(out);
            out.raw(COLO_HINT);
            nullOrString(out);
            version = varLong();
            long registeredAt = varLong();
            long updatedAt = varLong();
            out.raw(VERSION);
            out.number(version);
            out.raw(TIER);
            long tier = varLong();
            if (tier < 0 || tier >= TIERS.size()) {
                return false;
            }
            out.raw(TIERS.get((int) tier));
            out.raw(FEATURES);
            features(out);
            out.raw(MAX_CONNECTIONS);
            long branch = varLong();
            if (branch == 0) {
                out.raw(NULL);
            } else if (branch == 1) {
                long max = varLong();
                ok &= max == (int) max;
                out.number(max);
            } else {
                return false;
            }
            out.raw(REGION);
            nullOrString(out);
            out.raw(REGISTERED_AT);
            out.number(registeredAt);
            out.raw(UPDATED_AT);
            out.number(updatedAt);
            out.put('}');
            return ok;
        }

        /** An array of strings: blocks of a count (negative: followed by the block's size in bytes), ending with 0. */
        private void features(Out out) {
            boolean first = true;
            for (long count = varLong(); ok && count != 0; count = varLong()) {
                if (count < 0) {
                    count = -count; // then the block's size in bytes, which a reader of every item needs not
                    varLong();
                    ok &= count > 0;
                }
                for (long i = 0; ok && i < count; i++) {
                    if (!first) {
                        out.put(',');
                    }
                    first = false;
                    string(out);
                }
            }
        }

        private void nullOrString(Out out) {
            long branch = varLong();
            if (branch == 0) {
                out.raw(NULL);
            } else if (branch == 1) {
                string(out);
            } else {
                ok = false;
            }
        }

        /** A string as a JSON string: escaped as Jackson escapes it; not valid UTF-8 fails (a decode would replace it). */
        private void string(Out out) {
            long length = varLong();
            if (!ok || length < 0 || length > buf.length - pos) {
                ok = false;
                return;
            }
            int end = pos + (int) length;
            out.room((int) length * 6 + 2);
            out.put('"');
            while (pos < end && ok) {
                int b = buf[pos] & 0xFF;
                if (b >= 0x80) {
                    int n = utf8Length(b, end);
                    if (n == 0) {
                        ok = false;
                        return;
                    }
                    if (n == 4) {
                        surrogateEscapes(out, codePoint4());
                    } else {
                        out.copy(buf, pos, n);
                    }
                    pos += n;
                    continue;
                }
                if (b == '"' || b == '\\') {
                    out.put('\\');
                    out.put(b);
                } else if (b < 0x20) {
                    escapeControl(out, b);
                } else {
                    out.put(b);
                }
                pos++;
            }
            out.put('"');
        }

        /** The four-byte sequence at {@link #pos} (well formed) as its code point. */
        private int codePoint4() {
            return (buf[pos] & 0x07) << 18 | (buf[pos + 1] & 0x3F) << 12 | (buf[pos + 2] & 0x3F) << 6 | buf[pos + 3] & 0x3F;
        }

        /** As Jackson writes a character beyond the BMP: its UTF-16 surrogates, each as a \\u escape. */
        private static void surrogateEscapes(Out out, int codePoint) {
            unicodeEscape(out, Character.highSurrogate(codePoint));
            unicodeEscape(out, Character.lowSurrogate(codePoint));
        }

        private static void unicodeEscape(Out out, int c) {
            out.put('\\');
            out.put('u');
            out.put(HEX[c >> 12 & 0xF]);
            out.put(HEX[c >> 8 & 0xF]);
            out.put(HEX[c >> 4 & 0xF]);
            out.put(HEX[c & 0xF]);
        }

        private static void escapeControl(Out out, int b) {
            int shortEscape = switch (b) {
                case '\b' -> 'b';
                case '\t' -> 't';
                case '\n' -> 'n';
                case '\f' -> 'f';
                case '\r' -> 'r';
                default -> 0;
            };
            if (shortEscape == 0) {
                unicodeEscape(out, b);
            } else {
                out.put('\\');
                out.put(shortEscape);
            }
        }

        /** Length of the well-formed UTF-8 sequence at {@link #pos} starting with {@code lead} (RFC 3629), else 0. */
        private int utf8Length(int lead, int end) {
            int n;
            int min = 0x80;
            int max = 0xBF;
            if (lead >= 0xC2 && lead <= 0xDF) {
                n = 2;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                n = 3;
                min = lead == 0xE0 ? 0xA0 : 0x80;
                max = lead == 0xED ? 0x9F : 0xBF;
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                n = 4;
                min = lead == 0xF0 ? 0x90 : 0x80;
                max = lead == 0xF4 ? 0x8F : 0xBF;
            } else {
                return 0;
            }
            if (pos + n > end) {
                return 0;
            }
            for (int i = 1; i < n; i++) {
                int c = buf[pos + i] & 0xFF;
                if (c < (i == 1 ? min : 0x80) || c > (i == 1 ? max : 0xBF)) {
                    return 0;
                }
            }
            return n;
        }

        /** A zig-zag varint of at most ten bytes. */
        private long varLong() {
            long value = 0;
            for (int shift = 0; ok && shift < 70; shift += 7) {
                if (pos >= buf.length) {
                    break;
                }
                int b = buf[pos++] & 0xFF;
                value |= (long) (b & 0x7F) << shift;
                if (b < 0x80) {
                    return (value >>> 1) ^ -(value & 1);
                }
            }
            ok = false;
            return 0;
        }
    }

    /** A thread's answer being written, in a buffer grown as needed and kept for its next answer. */
    private static final class Out {
        private static final int INITIAL = 4096;
        /** A buffer grown beyond this for an outsized value is not kept. */
        private static final int MAX_KEPT = 64 * 1024;
        private byte[] buf = new byte[INITIAL];
        private int n;

        Out reset() {
            if (buf.length > MAX_KEPT) {
                buf = new byte[INITIAL];
            }
            n = 0;
            return this;
        }

        void room(int more) {
            if (n + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
            }
        }

        void put(int b) {
            room(1);
            buf[n++] = (byte) b;
        }

        void raw(byte[] bytes) {
            copy(bytes, 0, bytes.length);
        }

        void copy(byte[] from, int offset, int length) {
            room(length);
            System.arraycopy(from, offset, buf, n, length);
            n += length;
        }

        /** As {@link Long#toString(long)}. */
        void number(long value) {
            if (value == Long.MIN_VALUE) {
                raw(ascii(Long.toString(value)));
                return;
            }
            room(20);
            if (value < 0) {
                buf[n++] = '-';
                value = -value;
            }
            int digits = 1;
            for (long v = value; v >= 10; v /= 10) {
                digits++;
            }
            for (int i = n + digits - 1; i >= n; i--) {
                buf[i] = (byte) ('0' + value % 10);
                value /= 10;
            }
            n += digits;
        }

        byte[] bytes() {
            return Arrays.copyOf(buf, n);
        }
    }

    private static byte[] quoted(String symbol) {
        return ascii('"' + symbol + '"');
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
