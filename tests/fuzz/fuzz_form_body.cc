// Fuzzes Params::FromUrlEncoded: any input must parse or fail cleanly, and every
// typed read of what parsed must be safe.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_reads.h"
#include "http/params.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto params = chirp::Params::FromUrlEncoded(input);
  if (params.ok()) chirp::ExerciseReads(*params);
  return 0;
}
