#include "server_probe.h"

#include <gtest/gtest.h>

namespace chirp::loadgen {
namespace {

TEST(ParsePrometheusText, ReadsSamplesAndSkipsTheRest) {
  const auto m = ParsePrometheusText(
      "# HELP chirp_timeline_entries Entries.\n"
      "# TYPE chirp_timeline_entries gauge\n"
      "chirp_timeline_entries 1234\n"
      "http_requests_total{route=\"GET /a b\",status=\"200\"} 17 1700000000\n"
      "broken_line\n"
      "not_a_number abc\n"
      "\n"
      "process_seconds 1.5e3\r\n");
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m.at("chirp_timeline_entries"), 1234);
  EXPECT_EQ(m.at("http_requests_total{route=\"GET /a b\",status=\"200\"}"), 17);
  EXPECT_EQ(m.at("process_seconds"), 1500);
}

TEST(ParseResidentBytes, ReadsVmRss) {
  EXPECT_EQ(ParseResidentBytes("Name:\tchirpd\nVmPeak:\t  9 kB\nVmRSS:\t   20480 kB\nThreads: 4\n"),
            20480u * 1024);
  EXPECT_EQ(ParseResidentBytes("Name:\tchirpd\n"), std::nullopt);
  EXPECT_EQ(ParseResidentBytes("VmRSS: lots\n"), std::nullopt);
}

TEST(CompareSamples, ReportsCacheDeltasAndLatestGauges) {
  ServerSample before{.metrics = {{"chirp_timeline_cache_hits_total", 100},
                                  {"chirp_timeline_cache_misses_total", 50},
                                  {"chirp_timeline_entries", 10}},
                      .resident_bytes = 1000};
  ServerSample after{.metrics = {{"chirp_timeline_cache_hits_total", 190},
                                 {"chirp_timeline_cache_misses_total", 60},
                                 {"chirp_timeline_entries", 30},
                                 {"chirp_events_lag_milliseconds", 4},
                                 {"chirp_timeline_entry_bytes", 24}},
                     .resident_bytes = 2000};
  const ServerReport r = CompareSamples(before, after);
  EXPECT_TRUE(r.has_metrics);
  EXPECT_EQ(r.timeline_cache_hits, 90);
  EXPECT_EQ(r.timeline_cache_misses, 10);
  EXPECT_DOUBLE_EQ(*r.timeline_cache_hit_rate, 0.9);
  EXPECT_EQ(*r.timeline_entries, 30);
  EXPECT_EQ(*r.events_lag_ms, 4);
  EXPECT_EQ(*r.timeline_entry_bytes, 24);
  EXPECT_EQ(*r.resident_bytes_before, 1000u);
  EXPECT_EQ(*r.resident_bytes_after, 2000u);
}

TEST(HistogramQuantileBetween, FindsTheBucketOfTheQuantileOfWhatWasObservedMeanwhile) {
  const std::map<std::string, double> before = {{"lag_bucket{le=\"0.001\"}", 100},
                                                {"lag_bucket{le=\"0.01\"}", 100},
                                                {"lag_bucket{le=\"0.1\"}", 100},
                                                {"lag_bucket{le=\"+Inf\"}", 100},
                                                {"other_bucket{le=\"5\"}", 7}};
  // Meanwhile: 50 under 1 ms, 45 more under 10 ms, 4 more under 100 ms, one beyond.
  const std::map<std::string, double> after = {{"lag_bucket{le=\"0.001\"}", 150},
                                               {"lag_bucket{le=\"0.01\"}", 195},
                                               {"lag_bucket{le=\"0.1\"}", 199},
                                               {"lag_bucket{le=\"+Inf\"}", 200},
                                               {"other_bucket{le=\"5\"}", 9}};
  EXPECT_EQ(HistogramQuantileBetween(before, after, "lag", 0.5), 0.001);
  EXPECT_EQ(HistogramQuantileBetween(before, after, "lag", 0.51), 0.01);
  EXPECT_EQ(HistogramQuantileBetween(before, after, "lag", 0.95), 0.01);
  EXPECT_EQ(HistogramQuantileBetween(before, after, "lag", 0.99), 0.1);
  EXPECT_EQ(HistogramQuantileBetween(before, after, "lag", 1.0), std::nullopt);  // +Inf
  EXPECT_EQ(HistogramQuantileBetween(after, after, "lag", 0.5), std::nullopt);   // none
  EXPECT_EQ(HistogramQuantileBetween(before, after, "missing", 0.5), std::nullopt);
}

TEST(CompareSamples, ReportsTheFanOutLagOfTheRun) {
  ServerSample before{.metrics = {{"chirp_events_lag_seconds_bucket{le=\"0.005\"}", 10},
                                  {"chirp_events_lag_seconds_bucket{le=\"0.025\"}", 10},
                                  {"chirp_events_lag_seconds_bucket{le=\"+Inf\"}", 10},
                                  {"chirp_events_lag_seconds_count", 10}}};
  ServerSample after{.metrics = {{"chirp_events_lag_seconds_bucket{le=\"0.005\"}", 108},
                                 {"chirp_events_lag_seconds_bucket{le=\"0.025\"}", 110},
                                 {"chirp_events_lag_seconds_bucket{le=\"+Inf\"}", 110},
                                 {"chirp_events_lag_seconds_count", 110}}};
  const ServerReport r = CompareSamples(before, after);
  EXPECT_EQ(r.fanout_lag_events, 100);
  EXPECT_DOUBLE_EQ(*r.fanout_lag_p50_ms, 5);
  EXPECT_DOUBLE_EQ(*r.fanout_lag_p99_ms, 25);
}

TEST(CompareSamples, NoReadsMeansNoHitRate) {
  ServerSample sample{.metrics = {{"chirp_timeline_cache_hits_total", 5}}};
  const ServerReport r = CompareSamples(sample, sample);
  EXPECT_FALSE(r.timeline_cache_hit_rate.has_value());
  EXPECT_FALSE(r.events_lag_ms.has_value());
  EXPECT_FALSE(r.resident_bytes_after.has_value());
}

}  // namespace
}  // namespace chirp::loadgen
