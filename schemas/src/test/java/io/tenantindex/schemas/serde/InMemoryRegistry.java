package io.tenantindex.schemas.serde;

import io.tenantindex.schemas.registry.SchemaRegistryClient;
import io.tenantindex.schemas.registry.SchemaRegistryException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * A registry double for serde unit tests: ids start at {@code firstId} (pick a large one, the serdes
 * must not care), and every subject the serdes touch is recorded.
 */
final class InMemoryRegistry implements SchemaRegistryClient {
    private final Map<Integer, Schema> byId = new HashMap<>();
    private final Map<String, Map<Schema, Integer>> bySubject = new HashMap<>();
    private final List<String> calls = new ArrayList<>();
    private int nextId;

    InMemoryRegistry(int firstId) {
        this.nextId = firstId;
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        calls.add("register " + subject);
        int id = byId.entrySet().stream().filter(e -> e.getValue().equals(schema)).map(Map.Entry::getKey)
                .findFirst().orElseGet(() -> {
                    byId.put(nextId, schema);
                    return nextId++;
                });
        bySubject.computeIfAbsent(subject, s -> new HashMap<>()).put(schema, id);
        return id;
    }

    @Override
    public synchronized int lookupId(String subject, Schema schema) {
        calls.add("lookup " + subject);
        Integer id = bySubject.getOrDefault(subject, Map.of()).get(schema);
        if (id == null) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found");
        }
        return id;
    }

    @Override
    public synchronized Schema getById(int id) {
        calls.add("get " + id);
        Schema s = byId.get(id);
        if (s == null) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
        }
        return s;
    }

    synchronized List<String> calls() {
        return List.copyOf(calls);
    }
}
