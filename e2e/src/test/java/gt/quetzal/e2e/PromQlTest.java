package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlTest {

  @Test
  void findsTheMetricsAndNothingElse() {
    assertThat(PromQl.metricNames(
        "sum by (route, status) (rate(quetzal_ingest_http_requests_seconds_count{status=~\"5..\"}[1m]))"))
        .containsExactly("quetzal_ingest_http_requests_seconds_count");
    assertThat(PromQl.metricNames(
        "histogram_quantile(0.99, sum by (le) (rate(a_bucket[5m]))) / on (job) group_left b_total offset 1m"))
        .containsExactly("a_bucket", "b_total");
    assertThat(PromQl.metricNames("time() - max by (store) (quetzal_sink_last_write_seconds) > 2e3"))
        .containsExactly("quetzal_sink_last_write_seconds");
    assertThat(PromQl.metricNames(
        "label_replace(x_lag{group!=\"\"}, \"group\", \"$1\", \"client_id\", \"(.*)-Stream.*\")"))
        .containsExactly("x_lag");
  }
}
