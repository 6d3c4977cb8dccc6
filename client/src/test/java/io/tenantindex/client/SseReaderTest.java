package io.tenantindex.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SseReaderTest {
    @Test
    void shouldDispatchEventsOnBlankLinesJoinDataLinesAndHearComments() throws IOException {
        String stream = ": heartbeat\n\nevent: upsert\nid: t1\ndata: {\"a\":\ndata: 1}\n\ndata:plain\nretry: 10\n\nevent: half";
        List<String> events = new ArrayList<>();
        AtomicInteger lines = new AtomicInteger();
        boolean stopped = SseReader.read(new BufferedReader(new StringReader(stream)), new SseReader.Sink() {
            @Override
            public void heard() {
                lines.incrementAndGet();
            }

            @Override
            public boolean event(String type, String id, String data) {
                events.add(type + "|" + id + "|" + data);
                return true;
            }
        });

        assertThat(stopped).isFalse();
        assertThat(events).containsExactly("upsert|t1|{\"a\":\n1}", "message|null|plain");
        assertThat(lines).hasValue(11);
    }
}
