package io.tenantindex.common.feed;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.tenantindex.common.Json;
import io.tenantindex.protocol.ChangeEvent;
import io.tenantindex.protocol.TenantEntry;
import io.tenantindex.protocol.TenantIndexException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One open {@code GET /changes} response written with non-blocking servlet output: nothing waits
 * on a socket. It writes only while the connection can take more ({@code isReady}), and is pumped
 * again when it can ({@link #onWritePossible}), when the ring has news, and on the heartbeat tick.
 * What it holds is a snapshot cursor or a ring cursor and one chunk in Jetty's buffer, so a client
 * that stops reading costs nothing more; once it has fallen more than {@code maxBehind} changes
 * behind the ring, its next write is a {@code cutoff} with its resume token and the stream ends.
 * A position the ring does not hold is caught up from the topic ({@link TopicHistory}) first.
 *
 * <p>Phases: the snapshot (pages in key order, then {@code snapshot-end}), then for SSE the live
 * changes for as long as the client stays; an NDJSON snapshot ends after {@code snapshot-end}.
 */
final class FeedStream implements WriteListener {
    private static final int SNAPSHOT_PAGE = 500;
    private static final int LIVE_BATCH = 500;
    private static final byte[] HEARTBEAT = ": heartbeat\n\n".getBytes(StandardCharsets.UTF_8);

    private enum Phase { SNAPSHOT, LIVE, DONE }

    private final ChangeFeed feed;
    private final ServletOutputStream out;
    private final boolean sse;
    private final CompletableFuture<Void> done;
    private final FeedPosition position;
    private Phase phase;
    private long cursor;
    private String snapshotAfter;
    private boolean snapshotEndSent;
    private boolean unflushed;
    /** Why the stream ends at its next write, when the server ends it. */
    private String pendingCutoff;
    /** A history read under way (or done and not written yet); null while the ring serves the stream. */
    private CompletableFuture<TopicHistory.Replay> replay;
    private volatile long lastWriteNanos = System.nanoTime();

    /**
     * A stream from {@code position} on ({@code cursor} in the ring), after a snapshot when
     * {@code snapshot}; {@code replayed} (or null) is what was already read from the topic after {@code position}.
     */
    FeedStream(ChangeFeed feed, ServletOutputStream out, boolean sse, boolean snapshot, FeedPosition position, long cursor,
               TopicHistory.Replay replayed, CompletableFuture<Void> done) {
        this.feed = feed;
        this.out = out;
        this.sse = sse;
        this.done = done;
        this.position = position;
        this.cursor = cursor;
        this.phase = snapshot ? Phase.SNAPSHOT : Phase.LIVE;
        this.replay = replayed == null ? null : CompletableFuture.completedFuture(replayed);
    }

    @Override
    public void onWritePossible() {
        pump();
    }

    @Override
    public synchronized void onError(Throwable t) {
        finish();
    }

    boolean idleFor(long nanos) {
        return System.nanoTime() - lastWriteNanos >= nanos;
    }

    /** Writes what there is to write while the connection takes it; never blocks. */
    synchronized void pump() {
        try {
            while (phase != Phase.DONE || unflushed) {
                if (!out.isReady()) {
                    return;
                }
                byte[] chunk = phase == Phase.DONE ? null : next();
                if (chunk == null) {
                    if (!unflushed) {
                        if (phase == Phase.DONE) {
                            break;
                        }
                        return;
                    }
                    unflushed = false;
                    out.flush();
                    continue;
                }
                out.write(chunk);
                unflushed = true;
                lastWriteNanos = System.nanoTime();
            }
        } catch (IOException | RuntimeException e) {
            // The client went away (or the index stopped being servable): nothing more to say to it.
            phase = Phase.DONE;
        }
        finish();
    }

    /** The heartbeat tick: a comment on an SSE stream that wrote nothing for a while. */
    synchronized void heartbeat() {
        if (phase == Phase.LIVE && sse && idleFor(feed.heartbeatNanos())) {
            try {
                if (out.isReady()) {
                    out.write(HEARTBEAT);
                    unflushed = true;
                    lastWriteNanos = System.nanoTime();
                }
            } catch (IOException e) {
                phase = Phase.DONE;
            }
            pump();
        }
    }

    /** The server stops: the client resumes with the token. */
    synchronized void shutdown() {
        if (phase == Phase.LIVE) {
            pendingCutoff = "server shutting down";
        }
        pump();
    }

    /** The next chunk to write, null when there is nothing now. */
    private byte[] next() {
        if (phase == Phase.SNAPSHOT) {
            return snapshotChunk();
        }
        if (pendingCutoff != null) {
            return cutoff(pendingCutoff);
        }
        if (replay != null) {
            return replayed();
        }
        ChangeRing.Batch batch = feed.ring().read(cursor, position, LIVE_BATCH);
        if (batch == null && cursor > 0 && feed.ring().head() - cursor > feed.maxBehind()) {
            // It read the ring and fell out of it: a slow consumer, not a resume to catch up from the topic.
            return slow();
        }
        if (batch == null) {
            replay = feed.history().read(position, feed.ring().coverage(), LIVE_BATCH);
            replay.whenComplete((r, e) -> feed.pumpLater(this));
            return null;
        }
        if (batch.behind() > feed.maxBehind()) {
            return slow();
        }
        cursor = batch.cursor();
        return batch.changes().isEmpty() ? null : changes(batch.changes());
    }

    /** What the history read brought, once it is there; a position it refuses ends the stream (the resume answers 410). */
    private byte[] replayed() {
        if (!replay.isDone()) {
            return null;
        }
        TopicHistory.Replay r;
        try {
            r = replay.join();
        } catch (CompletionException e) {
            replay = null;
            return cutoff(e.getCause() instanceof TenantIndexException t ? t.getMessage() : "the topic could not be read: " + e.getCause());
        }
        replay = null;
        byte[] chunk = r.changes().isEmpty() ? null : changes(r.changes());
        for (int p = 0; p < r.readThrough().length; p++) {
            position.advance(p, r.readThrough()[p]);
        }
        return chunk != null ? chunk : next();
    }

    private byte[] changes(List<Change> changes) {
        StringBuilder text = new StringBuilder(changes.size() * 320);
        int sent = 0;
        for (Change c : changes) {
            if (position.before(c.partition(), c.offset())) {
                position.advance(c.partition(), c.offset());
                String token = position.token();
                frame(text, c.type(), token, c.json(token));
                sent++;
            }
        }
        feed.sent(sent);
        return sent == 0 ? null : bytes(text);
    }

    private byte[] snapshotChunk() {
        if (snapshotEndSent) {
            phase = sse ? Phase.LIVE : Phase.DONE;
            return next();
        }
        StringBuilder text = new StringBuilder();
        if (snapshotAfter == null || !snapshotAfter.isEmpty()) {
            FeedSource.Page page = feed.source().page(snapshotAfter, SNAPSHOT_PAGE);
            for (TenantEntry entry : page.entries()) {
                frame(text, ChangeEvent.Type.SNAPSHOT, null, json(ChangeEvent.snapshot(entry)));
            }
            feed.sent(page.entries().size());
            // "" marks the last page read: an id can never be empty.
            snapshotAfter = page.next() == null ? "" : page.next();
            if (!page.entries().isEmpty()) {
                return bytes(text);
            }
        }
        String token = position.token();
        frame(text, ChangeEvent.Type.SNAPSHOT_END, token, json(ChangeEvent.snapshotEnd(token)));
        snapshotEndSent = true;
        return bytes(text);
    }

    private byte[] slow() {
        return cutoff("slow consumer: more than " + feed.maxBehind() + " changes behind");
    }

    private byte[] cutoff(String reason) {
        String token = position.token();
        StringBuilder text = new StringBuilder();
        frame(text, ChangeEvent.Type.CUTOFF, token, json(ChangeEvent.cutoff(token, reason)));
        phase = Phase.DONE;
        feed.cutOff();
        return bytes(text);
    }

    /** One event: an NDJSON line, or an SSE event whose id is the token (so Last-Event-ID resumes). */
    private void frame(StringBuilder text, ChangeEvent.Type type, String token, String json) {
        if (sse) {
            text.append("event: ").append(type.wireName()).append('\n');
            if (token != null) {
                text.append("id: ").append(token).append('\n');
            }
            text.append("data: ").append(json).append("\n\n");
        } else {
            text.append(json).append('\n');
        }
    }

    private void finish() {
        phase = Phase.DONE;
        feed.closed(this);
        done.complete(null);
    }

    static String json(ChangeEvent event) {
        try {
            return Json.MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a change event always serializes", e);
        }
    }

    private static byte[] bytes(StringBuilder text) {
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
