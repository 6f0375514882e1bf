#include "http/router.h"

namespace chirp {
namespace {

// Splits "/a/b/c" into {"a","b","c"}; a trailing slash is ignored.
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    if (i >= path.size()) break;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool MatchPattern(const std::vector<std::string_view>& parts,
                  const std::vector<std::string_view>& path, PathParams* params) {
  if (parts.size() != path.size()) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!parts[i].empty() && parts[i][0] == ':') continue;
    if (parts[i] != path[i]) return false;
  }
  if (params != nullptr) {
    for (size_t i = 0; i < parts.size(); ++i) {
      if (!parts[i].empty() && parts[i][0] == ':') {
        params->values.emplace_back(parts[i].substr(1), std::string(path[i]));
      }
    }
  }
  return true;
}

}  // namespace

void Router::Add(Route route) {
  route.index = routes_.size();
  routes_.push_back(std::make_unique<Route>(std::move(route)));
  segments_.push_back(Segments(routes_.back()->pattern));
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch match;
  const std::vector<std::string_view> segments = Segments(path);
  // Literal routes registered before parameterised ones win ("lookup" before ":id").
  for (size_t i = 0; i < routes_.size(); ++i) {
    const Route* route = routes_[i].get();
    if (!MatchPattern(segments_[i], segments, nullptr)) continue;
    if (route->method != method && !(method == "HEAD" && route->method == "GET")) {
      match.path_matched = true;
      continue;
    }
    MatchPattern(segments_[i], segments, &match.params);
    match.route = route;
    return match;
  }
  return match;
}

}  // namespace chirp
