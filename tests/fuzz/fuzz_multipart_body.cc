// Fuzzes Params::FromMultipart. The first line of the input is the
// Content-Type header, the rest the body, so the fuzzer varies both.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_reads.h"
#include "http/params.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view content_type = input.substr(0, newline);
  const std::string_view body =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  auto params = chirp::Params::FromMultipart(body, content_type);
  if (params.ok()) chirp::ExerciseReads(*params);
  return 0;
}
