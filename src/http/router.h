// Routes requests by method and path pattern ("/api/v1/accounts/:id") to
// handlers. The router is built once at start-up and then only read, so
// matching is thread-safe without locks.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/execution.h"
#include "http/http_types.h"

namespace chirp {

// Where a route runs: http/execution.h tells which thread runs what, and
// the rule a handler must follow.

struct PathParams {
  std::vector<std::pair<std::string_view, std::string>> values;
  std::string_view Get(std::string_view name) const {
    for (const auto& [k, v] : values) {
      if (k == name) return v;
    }
    return {};
  }
};

using Handler = std::function<HttpResponse(HttpRequest&, const PathParams&)>;

constexpr size_t kDefaultBodyLimit = 1 << 20;  // 1 MiB for JSON and form bodies

struct Route {
  std::string method;
  std::string pattern;  // also the route's name in metrics
  Handler handler;
  Execution execution = Execution::kBlocking;
  size_t body_limit = kDefaultBodyLimit;
  // The limit of a multipart/form-data body (a file upload); 0: body_limit.
  // Other bodies keep body_limit, so that a route taking files does not take
  // JSON of their size.
  size_t upload_body_limit = 0;
  size_t index = 0;  // position in registration order; dense, for metrics arrays
};

struct RouteMatch {
  const Route* route = nullptr;  // null when nothing matched
  PathParams params;
  bool path_matched = false;  // some route has this path, with another method
};

class Router {
 public:
  // Registers a route. Patterns are literal segments and ":name" segments.
  void Add(Route route);
  RouteMatch Match(std::string_view method, std::string_view path) const;
  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  std::vector<std::unique_ptr<Route>> routes_;
  std::vector<std::vector<std::string_view>> segments_;  // of each route's pattern
};

}  // namespace chirp
