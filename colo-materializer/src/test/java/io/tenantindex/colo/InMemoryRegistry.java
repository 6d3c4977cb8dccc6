package io.tenantindex.colo;

import io.tenantindex.schemas.registry.SchemaRegistryClient;
import io.tenantindex.schemas.registry.SchemaRegistryException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/** A registry in memory for broker-less tests; ids start high to catch "ids are small" assumptions. */
final class InMemoryRegistry implements SchemaRegistryClient {
    private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();
    private final Map<Schema, Integer> ids = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger(100_001);
    volatile boolean unreachable;

    @Override
    public int register(String subject, Schema schema) {
        return ids.computeIfAbsent(schema, s -> {
            int id = next.getAndIncrement();
            byId.put(id, s);
            return id;
        });
    }

    @Override
    public int lookupId(String subject, Schema schema) {
        Integer id = ids.get(schema);
        if (id == null) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject not found");
        }
        return id;
    }

    @Override
    public Schema getById(int id) {
        if (unreachable) {
            throw new SchemaRegistryException("registry unreachable", new java.net.ConnectException("refused"));
        }
        Schema s = byId.get(id);
        if (s == null) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
        }
        return s;
    }
}
