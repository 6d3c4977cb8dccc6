package io.tenantindex.schemas.serde;

import java.util.Locale;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;

/**
 * How a serializer or deserializer uses the registry, under Confluent's own config key names so a
 * producer or consumer configured for Confluent's serdes configures ours the same way:
 * {@code auto.register.schemas}, {@code use.latest.version}, {@code key.subject.name.strategy},
 * {@code value.subject.name.strategy}, {@code avro.use.logical.type.converters}.
 *
 * @param useLatestVersion write with the subject's latest registered version (its id) instead of
 *                         registering or looking up the record's schema; it must be the same schema
 * @param logicalTypes     generic records carry logical types as their Java classes (Instant,
 *                         LocalDate, UUID, BigDecimal) rather than their Avro encodings
 */
public record SerdeConfig(boolean autoRegister, boolean useLatestVersion, SubjectNameStrategy keyStrategy,
                          SubjectNameStrategy valueStrategy, boolean logicalTypes) {

    /** Confluent's key names. */
    public static final class Keys {
        public static final String AUTO_REGISTER = "auto.register.schemas";
        public static final String USE_LATEST_VERSION = "use.latest.version";
        public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
        public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
        public static final String LOGICAL_TYPES = "avro.use.logical.type.converters";

        private Keys() {
        }
    }

    /** Confluent's defaults, except auto-registration, which is off unless asked for. */
    public static SerdeConfig defaults() {
        return new SerdeConfig(false, false, SubjectNameStrategy.TOPIC, SubjectNameStrategy.TOPIC, false);
    }

    public SerdeConfig withAutoRegister(boolean on) {
        return new SerdeConfig(on, useLatestVersion, keyStrategy, valueStrategy, logicalTypes);
    }

    /** From a producer's or consumer's config map; keys it does not name keep their defaults. */
    public static SerdeConfig from(Map<String, ?> configs) {
        SerdeConfig d = defaults();
        return new SerdeConfig(
                bool(configs, Keys.AUTO_REGISTER, d.autoRegister()),
                bool(configs, Keys.USE_LATEST_VERSION, d.useLatestVersion()),
                strategy(configs, Keys.KEY_SUBJECT_NAME_STRATEGY, d.keyStrategy()),
                strategy(configs, Keys.VALUE_SUBJECT_NAME_STRATEGY, d.valueStrategy()),
                bool(configs, Keys.LOGICAL_TYPES, d.logicalTypes()));
    }

    public SubjectNameStrategy strategy(boolean isKey) {
        return isKey ? keyStrategy : valueStrategy;
    }

    /** The generic data model: with the logical-type conversions when {@link #logicalTypes()}. */
    public GenericData genericModel() {
        if (!logicalTypes) {
            return GenericData.get();
        }
        GenericData model = new GenericData();
        model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        model.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
        model.addLogicalTypeConversion(new TimeConversions.DateConversion());
        model.addLogicalTypeConversion(new TimeConversions.TimeMillisConversion());
        model.addLogicalTypeConversion(new Conversions.UUIDConversion());
        model.addLogicalTypeConversion(new Conversions.DecimalConversion());
        return model;
    }

    private static boolean bool(Map<String, ?> configs, String key, boolean fallback) {
        Object v = configs.get(key);
        if (v == null) {
            return fallback;
        }
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        if (!s.equals("true") && !s.equals("false")) {
            throw new IllegalArgumentException(key + " must be true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(s);
    }

    private static SubjectNameStrategy strategy(Map<String, ?> configs, String key, SubjectNameStrategy fallback) {
        Object v = configs.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return SubjectNameStrategy.parse(v instanceof Class<?> c ? c.getName() : v.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }
}
