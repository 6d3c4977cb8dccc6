package io.tenantindex.common.api;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Immutable, partition-ordered copies of the per-partition maps in the contract's records. */
final class PartitionMaps {
    private PartitionMaps() {
    }

    /** An absent map (a field the sender left out) is empty. */
    static <V> SortedMap<Integer, V> copy(Map<Integer, V> in) {
        return Collections.unmodifiableSortedMap(in == null ? new TreeMap<>() : new TreeMap<>(in));
    }
}
