package io.tenantindex.bench;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The synthetic tenants every benchmark uses: {@code tn-00000000 … tn-<N-1>}, about 130-byte registrations. */
final class Tenants {
    private static final String[] TIERS = {"free", "pro", "enterprise"};
    private static final String[] COLOS = {"ORD", "SIN", "AMS", "SJC"};
    private static final String[] REGIONS = {"us", "apac", "eu", "us"};

    private Tenants() {
    }

    static String id(long i) {
        return String.format("tn-%08d", i);
    }

    /**
     * The PUT body (no tenantId) in the shape of {@code RegistrationBody}; {@code salt} changes
     * maxConnections so that updates differ. Concatenated by hand rather than written by Jackson: the
     * generator shares the two cores with the stack it measures and writes a million of these per import.
     */
    static String body(long i, int salt) {
        int k = (int) (i % 4);
        return "{\"coloHint\":\"" + COLOS[k] + "\",\"metadata\":{\"tier\":\"" + TIERS[(int) (i % 3)]
                + "\",\"features\":[\"kv\",\"websockets\"],\"maxConnections\":" + (100 + salt % 1000)
                + ",\"region\":\"" + REGIONS[k] + "\"}}";
    }

    static String importLine(long i) {
        return "{\"tenantId\":\"" + id(i) + "\"," + body(i, 0).substring(1) + "\n";
    }

    /** NDJSON of tenants [from, to), generated while it is sent (no 150 MB buffer). */
    static InputStream ndjson(long from, long to) {
        return new InputStream() {
            private long next = from;
            private byte[] buf = new byte[0];
            private int pos;

            private boolean fill() {
                if (pos < buf.length) {
                    return true;
                }
                if (next >= to) {
                    return false;
                }
                StringBuilder sb = new StringBuilder(64 * 1024);
                while (next < to && sb.length() < 60 * 1024) {
                    sb.append(importLine(next++));
                }
                buf = sb.toString().getBytes(StandardCharsets.UTF_8);
                pos = 0;
                return true;
            }

            @Override
            public int read() {
                return fill() ? buf[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0) {
                    return 0;
                }
                if (!fill()) {
                    return -1;
                }
                int n = Math.min(len, buf.length - pos);
                System.arraycopy(buf, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }
}
