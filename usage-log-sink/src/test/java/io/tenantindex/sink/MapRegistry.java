package io.tenantindex.sink;

import io.tenantindex.schemas.registry.SchemaRegistryClient;
import io.tenantindex.schemas.registry.SchemaRegistryException;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;

/** A registry double for TopologyTestDriver tests, which have no HTTP registry to talk to. */
final class MapRegistry implements SchemaRegistryClient {
    private final Map<Integer, Schema> byId = new HashMap<>();
    private final Map<Schema, Integer> ids = new HashMap<>();

    @Override
    public synchronized int register(String subject, Schema schema) {
        return ids.computeIfAbsent(schema, s -> {
            int id = 100 + byId.size();
            byId.put(id, s);
            return id;
        });
    }

    @Override
    public synchronized int lookupId(String subject, Schema schema) {
        Integer id = ids.get(schema);
        if (id == null) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found");
        }
        return id;
    }

    @Override
    public synchronized Schema getById(int id) {
        Schema schema = byId.get(id);
        if (schema == null) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found");
        }
        return schema;
    }
}
