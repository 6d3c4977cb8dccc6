package io.tenantindex.schemas.registry;

import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry REST API that the serdes need. Implementations cache:
 * after the first call for a schema or id, the hot path makes no request.
 */
public interface SchemaRegistryClient {
    /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
    int register(String subject, Schema schema);

    /** The id of {@code schema} already registered under {@code subject}; fails if it is not. */
    int lookupId(String subject, Schema schema);

    /** The schema with global id {@code id}; fails with {@link SchemaRegistryException} (40403) if unknown. */
    Schema getById(int id);

    /** The latest live version of {@code subject} (not cached: it changes); fails with 40401 if there is none. */
    RegisteredSchema latest(String subject);
}
