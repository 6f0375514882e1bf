#include "stream_report.h"

#include <gtest/gtest.h>

namespace chirp::loadgen {
namespace {

ServerSample Sample(uint64_t resident, double connections) {
  return {.metrics = {{"chirp_stream_connections", connections}}, .resident_bytes = resident};
}

TEST(ServerFigures, ChargesTheGrowthToTheConnectionsOpened) {
  StreamResult r;
  r.connections.opened = 1000;
  r.before = Sample(50'000'000, 0);
  r.opened = Sample(58'000'000, 1000);
  r.end = Sample(58'500'000, 998);
  const StreamServerFigures s = ServerFigures(r);
  EXPECT_EQ(*s.resident_delta, 8'000'000);
  EXPECT_DOUBLE_EQ(*s.bytes_per_connection, 8000.0);
  EXPECT_EQ(*s.resident_end, 58'500'000u);
  EXPECT_EQ(*s.stream_connections_before, 0);
  EXPECT_EQ(*s.stream_connections_opened, 1000);
  EXPECT_EQ(*s.stream_connections_end, 998);
}

TEST(ServerFigures, LeavesOutWhatWasNotSampled) {
  StreamResult r;
  r.before = ServerSample{};
  r.opened = Sample(1, 0);
  const StreamServerFigures s = ServerFigures(r);
  EXPECT_FALSE(s.resident_delta.has_value()) << "no pid: no memory before";
  EXPECT_FALSE(s.bytes_per_connection.has_value());
  EXPECT_FALSE(s.stream_connections_before.has_value());
  EXPECT_FALSE(s.resident_end.has_value());
}

TEST(StreamReportJson, DescribesTheDeliveryOnlyInLatencyMode) {
  StreamReport idle;
  idle.options.connections = 3;
  idle.result.connections.opened = 2;
  idle.result.connections.failures["status 401"] = 1;
  const auto json = StreamReportJson(idle);
  EXPECT_EQ(json.at("mode"), "idle");
  EXPECT_EQ(json.at("connections_opened"), 2u);
  EXPECT_EQ(json.at("connections_failed"), 1u);
  EXPECT_EQ(json.at("failures").at("status 401"), 1u);
  EXPECT_FALSE(json.contains("delivery"));
  EXPECT_FALSE(json.contains("server"));

  StreamReport latency = std::move(idle);
  latency.options.post_rate = 10;
  latency.result.expected_per_post = 2;
  latency.result.delivery.posts = 5;
  latency.result.delivery.events = 9;
  latency.result.delivery.missing = 1;
  latency.result.delivery.latency.Record(2500);
  const auto with_delivery = StreamReportJson(latency);
  EXPECT_EQ(with_delivery.at("mode"), "latency");
  const auto& d = with_delivery.at("delivery").as_object();
  EXPECT_EQ(d.at("expected"), 10u);
  EXPECT_EQ(d.at("missing"), 1u);
  EXPECT_DOUBLE_EQ(d.at("latency_ms").at("max").as_double(), 2.5);
}

}  // namespace
}  // namespace chirp::loadgen
