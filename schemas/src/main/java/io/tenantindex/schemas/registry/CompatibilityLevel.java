package io.tenantindex.schemas.registry;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/** Confluent's compatibility levels, checked with Avro's own reader/writer compatibility rules. */
public enum CompatibilityLevel {
    NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE;

    /** Whether {@code candidate} may follow {@code existing} (oldest first) under this level. */
    public boolean allows(Schema candidate, List<Schema> existing) {
        return problems(candidate, existing).isEmpty();
    }

    /**
     * Why {@code candidate} may not follow {@code existing} (oldest first) under this level, one
     * message per incompatibility found (Confluent's {@code ?verbose=true} messages); empty if it may.
     */
    public List<String> problems(Schema candidate, List<Schema> existing) {
        if (this == NONE || existing.isEmpty()) {
            return List.of();
        }
        List<Schema> against = name().endsWith("_TRANSITIVE") ? existing : List.of(existing.get(existing.size() - 1));
        boolean backward = this != FORWARD && this != FORWARD_TRANSITIVE;
        boolean forward = this != BACKWARD && this != BACKWARD_TRANSITIVE;
        List<String> problems = new ArrayList<>();
        for (Schema old : against) {
            // BACKWARD: the new schema can read what the old one wrote. FORWARD: the other way round.
            if (backward) {
                describe(candidate, old, "the new schema cannot read data written with an old one", problems);
            }
            if (forward) {
                describe(old, candidate, "an old schema cannot read data written with the new one", problems);
            }
        }
        return problems;
    }

    private void describe(Schema reader, Schema writer, String direction, List<String> problems) {
        var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
        for (var incompatibility : result.getIncompatibilities()) {
            problems.add("{errorType:'" + incompatibility.getType() + "', description:'" + direction + " ("
                    + incompatibility.getMessage() + ")', additionalInfo:'" + incompatibility.getLocation()
                    + "', compatibility:'" + name() + "'}");
        }
    }
}
