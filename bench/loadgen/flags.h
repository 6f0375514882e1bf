// Command-line flags of the form "--name value" or "--name=value".
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace chirp::loadgen {

class Flags {
 public:
  // kBadRequest for a name in neither `known` nor `switches`, a missing
  // value, a repeated flag, a value given to a switch ("--idle=1"), or an
  // argument that is not a flag. Switches take no value: "--idle".
  static Result<Flags> Parse(std::span<const std::string> args,
                             std::span<const std::string_view> known,
                             std::span<const std::string_view> switches = {});

  // Whether a flag or switch was given.
  bool Has(std::string_view name) const { return values_.contains(std::string(name)); }
  std::string String(std::string_view name, std::string_view fallback = "") const;
  // Typed reads: the fallback when absent, kBadRequest naming the flag when
  // the value does not parse or lies outside [min, max].
  Result<int64_t> Int(std::string_view name, int64_t fallback, int64_t min, int64_t max) const;
  Result<uint64_t> Unsigned(std::string_view name, uint64_t fallback) const;
  Result<double> Number(std::string_view name, double fallback, double min, double max) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace chirp::loadgen
