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

TEST(CompareSamples, NoReadsMeansNoHitRate) {
  ServerSample sample{.metrics = {{"chirp_timeline_cache_hits_total", 5}}};
  const ServerReport r = CompareSamples(sample, sample);
  EXPECT_FALSE(r.timeline_cache_hit_rate.has_value());
  EXPECT_FALSE(r.events_lag_ms.has_value());
  EXPECT_FALSE(r.resident_bytes_after.has_value());
}

}  // namespace
}  // namespace chirp::loadgen
