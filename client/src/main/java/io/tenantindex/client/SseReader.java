package io.tenantindex.client;

import java.io.BufferedReader;
import java.io.IOException;

/**
 * Reads a {@code text/event-stream} (the WHATWG Server-Sent Events format) line by line: fields
 * {@code event:}, {@code data:} (multi-line joined with {@code \n}) and {@code id:}, comment lines
 * ({@code : heartbeat}), and a blank line dispatching the event.
 */
final class SseReader {
    interface Sink {
        /** Any line arrived, comments included: the stream is alive. */
        void heard();

        /**
         * One dispatched event; {@code type} is {@code message} when the event named none.
         *
         * @return false to stop reading
         */
        boolean event(String type, String id, String data) throws IOException;
    }

    private SseReader() {
    }

    /** Reads until the end of the stream, or until the sink says stop; true when the sink stopped it. */
    static boolean read(BufferedReader in, Sink sink) throws IOException {
        String type = null;
        String id = null;
        StringBuilder data = null;
        String line;
        while ((line = in.readLine()) != null) {
            sink.heard();
            if (line.isEmpty()) {
                if (data != null && !sink.event(type == null ? "message" : type, id, data.toString())) {
                    return true;
                }
                type = null;
                id = null;
                data = null;
                continue;
            }
            if (line.charAt(0) == ':') {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> type = value;
                case "id" -> id = value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                default -> {
                    // retry: and unknown fields are ignored, as the format asks.
                }
            }
        }
        return false;
    }
}
