package io.tenantindex.common.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Immutable key/value settings with one naming rule: the key {@code http.port} is the flag
 * {@code --http-port} and the environment variable {@code TENANT_INDEX_HTTP_PORT}. Explicit values
 * (flags) win over the environment, which wins over each caller's default. Typed getters fail fast
 * with a {@link ConfigException} that names the key and its environment variable.
 */
public final class Settings {
    public static final String ENV_PREFIX = "TENANT_INDEX_";

    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static Settings of(Map<String, String> values) {
        return new Settings(values);
    }

    public static Settings empty() {
        return new Settings(Map.of());
    }

    /** Reads every {@code TENANT_INDEX_*} variable: {@code TENANT_INDEX_KAFKA_SASL_MECHANISM} → {@code kafka.sasl.mechanism}. */
    public static Settings fromEnvironment(Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                values.put(name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        return new Settings(values);
    }

    /**
     * The environment, overridden by command-line flags ({@code --http-port 8081} or
     * {@code --http-port=8081}); what every service's {@code main} reads.
     */
    public static Settings fromEnvironmentAndArgs(Map<String, String> env, String[] args) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new ConfigException("unexpected argument '" + arg + "': flags look like --http-port 8081");
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                value = "true";
            }
            flags.put(name.replace('-', '.'), value);
        }
        return fromEnvironment(env).with(flags);
    }

    /** A copy in which {@code overrides} win. */
    public Settings with(Map<String, String> overrides) {
        Map<String, String> merged = new HashMap<>(values);
        merged.putAll(overrides);
        return new Settings(merged);
    }

    public Settings with(String key, String value) {
        return with(Map.of(key, value));
    }

    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public static String flagName(String key) {
        return "--" + key.replace('.', '-');
    }

    public boolean has(String key) {
        String v = values.get(key);
        return v != null && !v.isBlank();
    }

    public String string(String key, String defaultValue) {
        return has(key) ? values.get(key).trim() : defaultValue;
    }

    public String required(String key) {
        if (!has(key)) {
            throw new ConfigException("missing setting " + describe(key));
        }
        return values.get(key).trim();
    }

    public int intValue(String key, int defaultValue, int min, int max) {
        long v = longValue(key, defaultValue, min, max);
        return (int) v;
    }

    public long longValue(String key, long defaultValue, long min, long max) {
        if (!has(key)) {
            return defaultValue;
        }
        long parsed;
        try {
            parsed = Long.parseLong(values.get(key).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(describe(key) + " must be a whole number, got '" + values.get(key) + "'");
        }
        if (parsed < min || parsed > max) {
            throw new ConfigException(describe(key) + " must be between " + min + " and " + max + ", got " + parsed);
        }
        return parsed;
    }

    public boolean bool(String key, boolean defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        String v = values.get(key).trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new ConfigException(describe(key) + " must be true or false, got '" + v + "'");
        };
    }

    public Path path(String key, Path defaultValue) {
        return has(key) ? Path.of(values.get(key).trim()) : defaultValue;
    }

    /** All settings under {@code prefix}, with the prefix removed (sorted, for stable logs). */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix) && k.length() > prefix.length()) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    private static String describe(String key) {
        return "'" + key + "' (flag " + flagName(key) + ", env " + envName(key) + ")";
    }
}
