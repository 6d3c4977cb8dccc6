package io.tenantindex.writer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Counts bytes and fails past the limit, so a chunked upload without Content-Length is bounded too. */
final class LimitedInputStream extends FilterInputStream {
    private final long limit;
    private long count;

    LimitedInputStream(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    private void count(int n) throws IOException {
        count += n;
        if (count > limit) {
            throw new LimitExceeded(limit);
        }
    }

    /** Thrown when the stream passes its limit. */
    static final class LimitExceeded extends IOException {
        LimitExceeded(long limit) {
            super("more than " + limit + " bytes");
        }
    }
}
