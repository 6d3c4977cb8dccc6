package io.tenantindex.schemas.registry;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/** Confluent's compatibility levels, checked with Avro's own reader/writer compatibility rules. */
public enum CompatibilityLevel {
    NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE;

    /** Whether {@code candidate} may follow {@code existing} (oldest first) under this level. */
    public boolean allows(Schema candidate, List<Schema> existing) {
        if (this == NONE || existing.isEmpty()) {
            return true;
        }
        List<Schema> against = name().endsWith("_TRANSITIVE") ? existing : List.of(existing.get(existing.size() - 1));
        boolean backward = this != FORWARD && this != FORWARD_TRANSITIVE;
        boolean forward = this != BACKWARD && this != BACKWARD_TRANSITIVE;
        for (Schema old : against) {
            // BACKWARD: the new schema can read what the old one wrote. FORWARD: the other way round.
            if (backward && !canRead(candidate, old)) {
                return false;
            }
            if (forward && !canRead(old, candidate)) {
                return false;
            }
        }
        return true;
    }

    private static boolean canRead(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
                == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
    }
}
