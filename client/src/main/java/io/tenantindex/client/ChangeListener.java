package io.tenantindex.client;

/**
 * Told of every change to what an {@link EmbeddedReplica} answers, on the replica's feed thread,
 * right after the change is visible to {@code get}: the router's "config push". Keep it quick
 * (hand heavy work to another thread): the next change waits for it. An exception it throws is
 * logged and does not stop the replica.
 */
@FunctionalInterface
public interface ChangeListener {
    void onChange(ReplicaChange change);
}
