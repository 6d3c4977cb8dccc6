package io.tenantindex.writer;

import io.tenantindex.common.api.ImportReport;
import io.tenantindex.protocol.ConsistencyToken;
import io.tenantindex.protocol.ErrorType;
import io.tenantindex.protocol.TenantIndexException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * A bulk import: NDJSON, one registration per line. Lines are validated one by one; good lines are
 * written in chunks of up to writer.max.batch records (the writer groups them into transactions)
 * while bad ones are reported, so an import is not all-or-nothing. The report carries one token
 * covering every line written (merged into the session the request carried).
 */
final class NdjsonImport {
    /** A report lists at most this many failed lines; the counts are always complete. */
    private static final int MAX_REPORTED_ERRORS = 1000;

    private final Function<WriteCommand, CompletableFuture<WriteResult>> submit;
    private final int maxBatch;
    private final long maxBytes;
    private final List<ImportReport.LineError> errors = new ArrayList<>();
    private long lines;
    private long written;
    private long failed;
    /** Every write so far merged into the request's session; null while there is neither. */
    private ConsistencyToken covering;

    /** One import; {@code submit} hands a write to the writer; {@code session} is the request's token (null: none). */
    NdjsonImport(Function<WriteCommand, CompletableFuture<WriteResult>> submit, ConsistencyToken session, int maxBatch, long maxBytes) {
        this.submit = submit;
        this.covering = session;
        this.maxBatch = maxBatch;
        this.maxBytes = maxBytes;
    }

    /**
     * Reads and writes the whole body. A body past {@code maxBytes} is PAYLOAD_TOO_LARGE and an
     * unreadable one (not UTF-8, broken connection) a bad request; both say how many lines before
     * it were written.
     */
    ImportReport run(InputStream body) {
        List<Pending> chunk = new ArrayList<>(maxBatch);
        // Two chunks in flight: the writer commits one while this thread parses the next.
        List<Pending> inFlight = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(new LimitedInputStream(body, maxBytes),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)))) {
            String line;
            int lineNo = 0;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                lines++;
                try {
                    RegistrationRequest request = RegistrationRequest.parseImportLine(line);
                    chunk.add(new Pending(lineNo, request.tenantId(), submit.apply(new WriteCommand.Put(request,
                            new Precondition(0, false, request.expectedVersion())))));
                } catch (TenantIndexException e) {
                    fail(lineNo, null, e);
                }
                if (chunk.size() >= maxBatch) {
                    await(inFlight);
                    List<Pending> submitted = inFlight;
                    inFlight = chunk;
                    chunk = submitted;
                }
            }
        } catch (LimitedInputStream.LimitExceeded e) {
            await(inFlight);
            await(chunk);
            throw new TenantIndexException(ErrorType.PAYLOAD_TOO_LARGE, "import body is larger than " + maxBytes
                    + " bytes; the lines before the limit were written (" + written + ")");
        } catch (IOException e) {
            await(inFlight);
            await(chunk);
            throw TenantIndexException.badRequest("unreadable import body (" + e + "); lines written before it: " + written);
        }
        await(inFlight);
        await(chunk);
        // Parse errors are reported at once, write errors when their chunk completes: sort by line.
        errors.sort(Comparator.comparingInt(ImportReport.LineError::line));
        return new ImportReport(lines, written, failed, errors, covering == null ? null : covering.encode());
    }

    private record Pending(int line, String tenantId, CompletableFuture<WriteResult> result) {
    }

    private void await(List<Pending> chunk) {
        for (Pending p : chunk) {
            try {
                WriteResult r = p.result.join();
                written++;
                covering = covering == null ? r.token() : covering.merge(r.token());
            } catch (CompletionException e) {
                fail(p.line, p.tenantId, e.getCause());
            }
        }
        chunk.clear();
    }

    private void fail(int line, String tenantId, Throwable error) {
        failed++;
        if (errors.size() < MAX_REPORTED_ERRORS) {
            errors.add(new ImportReport.LineError(line, tenantId,
                    error instanceof TenantIndexException t ? t.type().name() : ErrorType.INTERNAL.name(), error.getMessage()));
        }
    }
}
