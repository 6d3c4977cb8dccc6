package io.tenantindex.common.config;

/** A setting is missing or malformed; the message names the key, its env var and what was wrong. */
public class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }
}
