package io.tenantindex.schemas.registry;

import org.apache.avro.Schema;

/** One version of a subject as the registry reports it: {@code GET /subjects/{s}/versions/{v}}, {@code POST /subjects/{s}}. */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {
}
