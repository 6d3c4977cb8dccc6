package io.tenantindex.schemas.serde;

import java.util.Locale;
import org.apache.avro.Schema;

/**
 * Confluent's subject-name strategies: which registry subject a topic's key or value schema lives
 * under. TOPIC ({@code <topic>-key} / {@code <topic>-value}, the default) gives a topic one
 * evolving schema; RECORD ({@code <record full name>}) and TOPIC_RECORD
 * ({@code <topic>-<record full name>}) let one topic carry several record types.
 */
public enum SubjectNameStrategy {
    TOPIC("TopicNameStrategy"), RECORD("RecordNameStrategy"), TOPIC_RECORD("TopicRecordNameStrategy");

    private static final String CONFLUENT_PACKAGE = "io.confluent.kafka.serializers.subject.";
    private final String confluentName;

    SubjectNameStrategy(String confluentName) {
        this.confluentName = confluentName;
    }

    public String subject(String topic, boolean isKey, Schema schema) {
        return switch (this) {
            case TOPIC -> topic + (isKey ? "-key" : "-value");
            case RECORD -> recordName(schema);
            case TOPIC_RECORD -> topic + "-" + recordName(schema);
        };
    }

    private String recordName(Schema schema) {
        if (schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException(confluentName + " needs a record schema, got " + schema.getType());
        }
        return schema.getFullName();
    }

    /** Confluent's class name (full or simple, as {@code value.subject.name.strategy} takes it) or our enum name. */
    public static SubjectNameStrategy parse(String value) {
        String simple = value.trim().startsWith(CONFLUENT_PACKAGE) ? value.trim().substring(CONFLUENT_PACKAGE.length()) : value.trim();
        for (SubjectNameStrategy s : values()) {
            if (s.confluentName.equals(simple) || s.name().equals(simple.toUpperCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown subject name strategy '" + value + "'; one of "
                + CONFLUENT_PACKAGE + "TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy");
    }
}
