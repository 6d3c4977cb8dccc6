package io.tenantindex.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlTest {
    @Test
    void shouldFindTheMetricsButNotFunctionsLabelsOrStrings() {
        assertThat(PromQl.metricNames("""
                sum by (colo) (rate(tenant_index_lookups_total{outcome="miss", colo=~"$colo"}[5m]))
                  / on (colo) group_left sum without (outcome) (rate(tenant_index_lookups_total[$__rate_interval])) > 0.10
                  or (sum(tenant_index_writer_role{role="ACTIVE"}) or vector(0)) < 1e3 and up offset 5m
                """)).containsExactly("tenant_index_lookups_total", "tenant_index_writer_role", "up");
        assertThat(PromQl.metricNames("histogram_quantile(0.95, sum by (le) (rate(x_seconds_bucket[1m])))"))
                .containsExactly("x_seconds_bucket");
    }
}
