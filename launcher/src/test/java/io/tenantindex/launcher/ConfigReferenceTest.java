package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.common.config.ConfigKey;
import io.tenantindex.common.config.ConfigKey.Program;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.lookup.ColoConfig;
import io.tenantindex.lookup.usage.UsageEmitterConfig;
import io.tenantindex.sink.SinkConfig;
import io.tenantindex.writer.WriterConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The registry of {@link ConfigKeys} against what documents and reads it: the README's configuration
 * table is exactly the table the registry gives (no key missing, none that does not exist, the same
 * defaults), every default the registry states is the one the config classes use, and
 * {@code up --help} lists every key.
 */
class ConfigReferenceTest {
    private static final Path README = Path.of("..", "README.md");
    private static final String TABLE_HEADER = "| key | default | read by | meaning |";

    /** The README's configuration table as the registry gives it. */
    static String expectedTable() {
        StringBuilder md = new StringBuilder(TABLE_HEADER).append("\n|---|---|---|---|\n");
        for (ConfigKey key : ConfigKeys.all()) {
            String dflt = key.required() ? "— (required)" : key.defaultValue() == null ? "—"
                    : key.defaultValue().isEmpty() ? "(none)" : "`" + key.defaultValue() + "`";
            String readers = key.readBy().stream().sorted().map(r -> r.name().toLowerCase(Locale.ROOT).replace('_', ' '))
                    .collect(Collectors.joining(", "));
            md.append("| `").append(key.isPrefix() ? key.key() + "*" : key.key()).append("` | ").append(dflt).append(" | ")
                    .append(readers).append(" | ").append(key.description()).append(" |\n");
        }
        return md.toString();
    }

    @Test
    void shouldDocumentExactlyTheRegisteredKeysInTheReadme() throws Exception {
        String readme = Files.readString(README);
        int start = readme.indexOf(TABLE_HEADER);
        assertThat(start).as("README has the configuration table (header %s)", TABLE_HEADER).isNotNegative();
        int end = readme.indexOf("\n\n", start);
        String table = readme.substring(start, end + 1);
        assertThat(table).as("README's configuration table; regenerate it from ConfigKeys:%n%s", expectedTable())
                .isEqualTo(expectedTable());
    }

    @Test
    void shouldStateTheDefaultsTheConfigClassesUse() {
        Settings colo = Settings.of(Map.of(ConfigKeys.COLO, "ORD", ConfigKeys.AUTH_DISABLED, "true"));
        assertSameWithDocumentedDefaults(Program.WRITER, Settings.of(Map.of(ConfigKeys.AUTH_DISABLED, "true")), WriterConfig::from);
        assertSameWithDocumentedDefaults(Program.COLO, colo, ColoConfig::from);
        assertSameWithDocumentedDefaults(Program.COLO, colo, UsageEmitterConfig::from);
        assertSameWithDocumentedDefaults(Program.SINK, Settings.empty(), SinkConfig::from);
        assertSameWithDocumentedDefaults(Program.LOCAL_STACK, Settings.empty(), LocalStackConfig::from);
    }

    /** {@code from(base)} and {@code from(base + every documented default of reader)} are the same configuration. */
    private static void assertSameWithDocumentedDefaults(Program reader, Settings base, Function<Settings, Object> from) {
        Map<String, String> defaults = new HashMap<>();
        for (ConfigKey key : ConfigKeys.all()) {
            if (key.readBy().contains(reader) && key.defaultValue() != null && !key.isPrefix() && !base.has(key.key())) {
                defaults.put(key.key(), key.defaultValue());
            }
        }
        assertThat(from.apply(base.with(defaults))).as("%s with the documented defaults %s", reader, defaults)
                .usingRecursiveComparison().ignoringFields("shared").isEqualTo(from.apply(base));
    }

    @Test
    void shouldListEverySettingInUpsHelp() {
        StringWriter out = new StringWriter();
        new CommandLine(new TenantIndexCli()).setOut(new PrintWriter(out, true)).execute("up", "--help");
        List<String> flags = ConfigKeys.all().stream().map(k -> Settings.flagName(k.key()) + (k.isPrefix() ? "*" : "")).toList();
        assertThat(out.toString()).contains(flags);
    }

    @Test
    void shouldReadTheClisSettingsWithTheirRegisteredDefaults() {
        ClientCommands.Target target = new ClientCommands.Target();
        // Unless the environment running the test sets them, which it does not in CI.
        assertThat(target.writerUrl).isEqualTo(ConfigKeys.defaultOf(ConfigKeys.WRITER_URL));
        assertThat(target.colos).isEqualTo(ConfigKeys.DEFAULT_COLOS);
        assertThat(target.sinkUrl).isEqualTo(ConfigKeys.defaultOf(ConfigKeys.SINK_URL));
        assertThat(target.coloPorts()).isEqualTo(LocalStackConfig.from(Settings.empty()).colos());
    }
}
