#include "http/metrics.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

TEST(HttpMetrics, CountsByRouteAndStatusWithHistogram) {
  HttpMetrics m({"GET /a", "POST /b"});
  m.Observe(0, 200, 50);    // 50 µs
  m.Observe(0, 200, 3000);  // 3 ms
  m.Observe(1, 422, 100);
  m.Observe(2, 404, 10);  // unmatched
  std::string out;
  m.Render(out);
  EXPECT_NE(out.find("chirp_http_requests_total{route=\"GET /a\",status=\"200\"} 2"),
            std::string::npos);
  EXPECT_NE(out.find("chirp_http_requests_total{route=\"POST /b\",status=\"422\"} 1"),
            std::string::npos);
  EXPECT_NE(out.find("chirp_http_requests_total{route=\"unmatched\",status=\"404\"} 1"),
            std::string::npos);
  EXPECT_NE(
      out.find("chirp_http_request_duration_seconds_bucket{route=\"GET /a\",le=\"0.0001\"} 1"),
      std::string::npos);
  EXPECT_NE(out.find("chirp_http_request_duration_seconds_bucket{route=\"GET /a\",le=\"0.005\"} 2"),
            std::string::npos);
  EXPECT_NE(out.find("chirp_http_request_duration_seconds_count{route=\"GET /a\"} 2"),
            std::string::npos);
}

}  // namespace
}  // namespace chirp
