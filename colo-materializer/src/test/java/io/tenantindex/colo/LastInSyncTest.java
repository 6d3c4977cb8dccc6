package io.tenantindex.colo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LastInSyncTest {
    @TempDir
    Path tmp;

    @Test
    void shouldTrustAStateForHalfTheTombstoneRetention() {
        assertThat(LastInSync.trusted(50, 100)).isTrue();
        assertThat(LastInSync.trusted(51, 100)).isFalse();
    }

    @Test
    void shouldDistrustAStateOfUnknownAgeBeforeAskingKafka() throws Exception {
        MaterializerConfig config = config();
        assertThat(LastInSync.distrust(config, null, 1000)).as("no state: nothing to distrust").isEmpty();
        assertThat(LastInSync.trustedSince(config)).as("restored from scratch").isEqualTo(-1);

        Files.createDirectories(tmp.resolve(config.applicationId()));
        assertThat(LastInSync.distrust(config, null, 1000)).hasValueSatisfying(why ->
                assertThat(why).contains("no record of when it was last in sync with " + config.indexTopic()));
        assertThat(LastInSync.trustedSince(config)).isZero();

        LastInSync.record(config, 700);
        assertThat(tmp.resolve(config.applicationId() + ".in-sync")).hasContent("700");
        assertThat(LastInSync.trustedSince(config)).isEqualTo(700);
        LastInSync.forget(config);
        assertThat(LastInSync.trustedSince(config)).isZero();
    }

    @Test
    void shouldKeepEachGenerationsRecordApart() {
        MaterializerConfig config = config();
        LastInSync.record(config.withGeneration(2), 5);
        assertThat(tmp.resolve(config.withGeneration(2).applicationId() + ".in-sync")).hasContent("5");
        assertThat(tmp.resolve(config.applicationId() + ".in-sync")).doesNotExist();
    }

    private MaterializerConfig config() {
        return MaterializerConfig.from(Settings.of(Map.of(ConfigKeys.COLO, "ORD", ConfigKeys.INSTANCE_ID, "ord-a",
                ConfigKeys.STATE_DIR, tmp.toString())));
    }
}
