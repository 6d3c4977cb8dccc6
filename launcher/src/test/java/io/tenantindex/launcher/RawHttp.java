package io.tenantindex.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, byte for byte: lets a test send what no well-behaved client would
 * (odd methods, raw bytes in paths, invalid UTF-8, oversize or duplicated headers).
 */
final class RawHttp {
    record Response(int status, String contentType, String body) {
    }

    private RawHttp() {
    }

    static Response send(int port, String method, String target, List<String> headers, byte[] body) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(30_000);
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            for (String h : headers) {
                request.writeBytes((h + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            request.writeBytes(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            request.writeBytes(body);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.toByteArray());
                out.flush();
            } catch (IOException e) {
                // The server may answer and close before reading an oversize request to the end.
            }
            return parse(socket.getInputStream().readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Response parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int headerEnd = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || headerEnd < 0) {
            throw new IllegalStateException("not an HTTP response: " + text.substring(0, Math.min(200, text.length())));
        }
        int status = Integer.parseInt(text.substring(9, 12));
        String contentType = "";
        boolean chunked = false;
        for (String line : text.substring(0, headerEnd).split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-type:")) {
                contentType = line.substring(13).trim();
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        String body = new String(raw, headerEnd + 4, raw.length - headerEnd - 4, StandardCharsets.UTF_8);
        return new Response(status, contentType, chunked ? dechunk(body) : body);
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < chunked.length()) {
            int lineEnd = chunked.indexOf("\r\n", i);
            int size = Integer.parseInt(chunked.substring(i, lineEnd).trim(), 16);
            if (size == 0) {
                break;
            }
            out.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            i = lineEnd + 2 + size + 2;
        }
        return out.toString();
    }

    /** Sends {@code body} one byte every {@code pauseMillis}; returns the status, or -1 if the server hung up. */
    static int trickle(int port, String path, List<String> headers, byte[] body, long pauseMillis, long giveUpMillis) {
        long deadline = System.currentTimeMillis() + giveUpMillis;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout((int) giveUpMillis);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + String.join("", headers.stream().map(h -> h + "\r\n").toList())
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            for (byte b : body) {
                if (System.currentTimeMillis() > deadline) {
                    break;
                }
                out.write(b);
                out.flush();
                InputStream in = socket.getInputStream();
                // Wait for the pause on the socket itself: an answer or a hang-up ends the trickle early.
                socket.setSoTimeout((int) pauseMillis);
                try {
                    int first = in.read();
                    if (first < 0) {
                        return -1;
                    }
                    byte[] rest = in.readAllBytes();
                    byte[] all = new byte[rest.length + 1];
                    all[0] = (byte) first;
                    System.arraycopy(rest, 0, all, 1, rest.length);
                    return parse(all).status();
                } catch (java.net.SocketTimeoutException stillWaiting) {
                    // No answer yet: send the next byte.
                }
            }
            return -2;
        } catch (IOException e) {
            return -1;
        }
    }
}
