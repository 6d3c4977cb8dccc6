package io.tenantindex.common.api;

import java.util.List;

/**
 * The writer's {@code POST /admin/replicas:prune}: the consumer groups of colo instances not seen for
 * {@code olderThanMs} that were deleted (or, with {@code dryRun}, would be), and every other one kept, with why.
 */
public record ReplicaPruneReport(boolean dryRun, long olderThanMs, List<Group> deleted, List<Group> kept) {
    public ReplicaPruneReport {
        deleted = deleted == null ? List.of() : List.copyOf(deleted);
        kept = kept == null ? List.of() : List.copyOf(kept);
    }

    /** @param reason why it was kept (null for a deleted one) */
    public record Group(String applicationId, String colo, String instance, Long lastSeen, String reason) {
    }
}
