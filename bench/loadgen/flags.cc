#include "flags.h"

#include <algorithm>
#include <charconv>

namespace chirp::loadgen {
namespace {

Error Bad(std::string_view name, std::string_view value, std::string_view why) {
  return Error::BadRequest("--" + std::string(name) + " " + std::string(value) + ": " +
                           std::string(why));
}

template <typename T>
bool ParseWhole(std::string_view s, T* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

Result<Flags> Flags::Parse(std::span<const std::string> args,
                           std::span<const std::string_view> known,
                           std::span<const std::string_view> switches) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (!arg.starts_with("--")) return Error::BadRequest("unexpected argument '" + args[i] + "'");
    std::string_view name = arg.substr(2);
    std::string value;
    if (std::find(switches.begin(), switches.end(), name.substr(0, name.find('='))) !=
        switches.end()) {
      if (name.find('=') != std::string_view::npos) {
        return Error::BadRequest("--" + std::string(name.substr(0, name.find('='))) +
                                 " takes no value");
      }
      if (!flags.values_.emplace(std::string(name), "").second) {
        return Error::BadRequest("--" + std::string(name) + " given twice");
      }
      continue;
    }
    if (const size_t eq = name.find('='); eq != std::string_view::npos) {
      value = std::string(name.substr(eq + 1));
      name = name.substr(0, eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return Error::BadRequest("--" + std::string(name) + " needs a value");
    }
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return Error::BadRequest("unknown flag --" + std::string(name));
    }
    if (!flags.values_.emplace(std::string(name), std::move(value)).second) {
      return Error::BadRequest("--" + std::string(name) + " given twice");
    }
  }
  return flags;
}

std::string Flags::String(std::string_view name, std::string_view fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::string(fallback) : it->second;
}

Result<int64_t> Flags::Int(std::string_view name, int64_t fallback, int64_t min,
                           int64_t max) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  int64_t v = 0;
  if (!ParseWhole(it->second, &v)) return Bad(name, it->second, "not an integer");
  if (v < min || v > max) {
    return Bad(name, it->second,
               "out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return v;
}

Result<uint64_t> Flags::Unsigned(std::string_view name, uint64_t fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  uint64_t v = 0;
  if (!ParseWhole(it->second, &v)) return Bad(name, it->second, "not an unsigned integer");
  return v;
}

Result<double> Flags::Number(std::string_view name, double fallback, double min, double max) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  double v = 0;
  if (!ParseWhole(it->second, &v)) return Bad(name, it->second, "not a number");
  if (!(v >= min && v <= max)) {
    return Bad(name, it->second,
               "out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return v;
}

}  // namespace chirp::loadgen
