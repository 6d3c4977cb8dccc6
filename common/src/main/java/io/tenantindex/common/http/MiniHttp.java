package io.tenantindex.common.http;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal blocking HTTP/1.1 keep-alive client over one socket, for load generators (the bench, the soak). Written out
 * rather than using {@code java.net.http.HttpClient} so that the generator's own cost per request
 * stays small (tens of µs) and predictable on a 2-core machine where it shares the CPUs with the
 * server it measures. Requests can be split into {@link #send} and {@link #receive}, so one thread
 * can have requests to several servers in flight at once.
 */
public final class MiniHttp implements Closeable {
    private final String host;
    private final int port;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    /** What the tools need from a response: status, the consistency token header, the body. */
    public record Response(int status, String token, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    public MiniHttp(String host, int port) {
        this.host = host;
        this.port = port;
    }

    public Response request(String method, String path, String extraHeaders, byte[] body) throws IOException {
        send(method, path, extraHeaders, body);
        return receive();
    }

    public void send(String method, String path, String extraHeaders, byte[] body) throws IOException {
        if (socket == null) {
            connect();
        }
        StringBuilder head = new StringBuilder(160).append(method).append(' ').append(path)
                .append(" HTTP/1.1\r\nHost: ").append(host).append(':').append(port).append("\r\n");
        if (extraHeaders != null) {
            head.append(extraHeaders);
        }
        if (body != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        try {
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    public Response receive() throws IOException {
        try {
            String status = line();
            if (status.length() < 12 || !status.startsWith("HTTP/1.")) {
                throw new IOException("bad status line '" + status + "'");
            }
            int code = Integer.parseInt(status.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean closeAfter = false;
            String token = null;
            for (String h = line(); !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> closeAfter = value.equalsIgnoreCase("close");
                    case "x-consistency-token" -> token = value;
                    default -> { }
                }
            }
            byte[] body;
            if (chunked) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                while (true) {
                    String size = line();
                    int semi = size.indexOf(';');
                    int n = Integer.parseInt((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
                    if (n == 0) {
                        while (!line().isEmpty()) {
                            // trailers
                        }
                        break;
                    }
                    buf.write(in.readNBytes(n));
                    line();
                }
                body = buf.toByteArray();
            } else if (length >= 0) {
                body = in.readNBytes((int) length);
                if (body.length != length) {
                    throw new EOFException("connection closed inside the body");
                }
            } else {
                body = in.readAllBytes();
                closeAfter = true;
            }
            if (closeAfter) {
                close();
            }
            return new Response(code, token, body);
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    private void connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(30_000);
        socket.connect(new InetSocketAddress(host, port), 5_000);
        out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed");
            }
            if (b == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            sb.append((char) b);
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a socket we are done with
            }
            socket = null;
        }
    }
}
