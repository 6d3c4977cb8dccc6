package io.tenantindex.common.config;

import java.util.Set;

/**
 * One setting as {@link ConfigKeys} registers it: the key (= flag = environment variable, see
 * {@link Settings}), its default, what it means and which processes read it.
 *
 * @param defaultValue the default as a value of the key ("5000", "false"), so that it can be set and
 *                     checked; null when there is none or it depends on the process (the
 *                     description then says which)
 * @param required     the process does not start without it
 * @param readBy       the processes whose configuration reads it ({@code up} passes every setting on
 *                     to the services it runs, so it accepts all of them)
 */
public record ConfigKey(String key, String defaultValue, boolean required, String description, Set<Program> readBy) {
    /** The processes that read settings. */
    public enum Program { WRITER, COLO, SINK, LOCAL_STACK, CLI }

    public ConfigKey {
        readBy = Set.copyOf(readBy);
    }

    /** A prefix such as {@code kafka.}: every key under it is passed on (to the Kafka clients). */
    public boolean isPrefix() {
        return key.endsWith(".");
    }

    /** Whether {@code name} is this key, or a key under this prefix. */
    public boolean matches(String name) {
        return isPrefix() ? name.startsWith(key) && name.length() > key.length() : name.equals(key);
    }
}
