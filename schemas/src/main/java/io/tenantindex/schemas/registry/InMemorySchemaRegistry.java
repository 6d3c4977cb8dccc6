package io.tenantindex.schemas.registry;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * A registry client with no registry behind it, for tests that run serdes or a topology without a
 * server (TopologyTestDriver): the same schema gets the same id under every subject, ids start at
 * {@code firstId} (pick a large one: callers must not assume small ids), lookups and unknown ids
 * answer Confluent's 404 codes, {@link #unreachable(boolean)} makes every request fail as it does
 * against an unreachable registry, and {@link #calls()} lists every request made.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {
    private final Map<Integer, Schema> byId = new HashMap<>();
    private final Map<Schema, Integer> ids = new HashMap<>();
    private final Map<String, Map<Schema, Integer>> bySubject = new HashMap<>();
    private final Map<String, List<Schema>> versions = new HashMap<>();
    private final List<String> calls = new ArrayList<>();
    private int nextId;
    private boolean unreachable;

    public InMemorySchemaRegistry(int firstId) {
        this.nextId = firstId;
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        calls.add("register " + subject);
        refuseIfUnreachable();
        int id = ids.computeIfAbsent(schema, s -> {
            byId.put(nextId, s);
            return nextId++;
        });
        if (bySubject.computeIfAbsent(subject, s -> new HashMap<>()).put(schema, id) == null) {
            versions.computeIfAbsent(subject, s -> new ArrayList<>()).add(schema);
        }
        return id;
    }

    @Override
    public synchronized int lookupId(String subject, Schema schema) {
        calls.add("lookup " + subject);
        refuseIfUnreachable();
        Integer id = bySubject.getOrDefault(subject, Map.of()).get(schema);
        if (id == null) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found");
        }
        return id;
    }

    @Override
    public synchronized Schema getById(int id) {
        calls.add("get " + id);
        refuseIfUnreachable();
        Schema schema = byId.get(id);
        if (schema == null) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
        }
        return schema;
    }

    @Override
    public synchronized RegisteredSchema latest(String subject) {
        calls.add("latest " + subject);
        refuseIfUnreachable();
        List<Schema> registered = versions.get(subject);
        if (registered == null) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
        }
        Schema schema = registered.get(registered.size() - 1);
        return new RegisteredSchema(subject, registered.size(), ids.get(schema), schema);
    }

    /** While true, every request fails as it does when the registry cannot be reached (retriable, no HTTP status). */
    public synchronized void unreachable(boolean on) {
        unreachable = on;
    }

    private void refuseIfUnreachable() {
        if (unreachable) {
            throw new SchemaRegistryException("registry unreachable", new ConnectException("refused"));
        }
    }

    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }
}
