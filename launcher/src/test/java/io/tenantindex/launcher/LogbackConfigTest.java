package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.tenantindex.common.logging.StreamsRestoreLogFilter;
import org.junit.jupiter.api.Test;

/** The logging configuration every service runs with (the launcher's logback.xml, on every classpath). */
class LogbackConfigTest {
    @Test
    void shouldInstallTheStreamsRestoreLogFilter() throws Exception {
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(LogbackConfigTest.class.getResource("/logback.xml"));
        assertThat(context.getTurboFilterList()).hasExactlyElementsOfTypes(StreamsRestoreLogFilter.class);
        context.stop();
    }
}
