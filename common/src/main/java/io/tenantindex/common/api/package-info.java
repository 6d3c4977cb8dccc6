/**
 * The HTTP contract between the tenant-index processes: the header names and one immutable record
 * per JSON body that one process writes and another (or the CLI, or the status page) reads. The
 * servers serialize these records and the clients parse them with {@link io.tenantindex.common.Json},
 * so a renamed or retyped field is a compile error on both sides instead of a silent drift.
 *
 * <p>Field names and shapes are the wire format users and tests depend on: change them only
 * together with the OpenAPI documents. Maps keyed by partition serialize their keys as strings
 * ({@code "0"}, {@code "1"}, …).
 */
package io.tenantindex.common.api;
