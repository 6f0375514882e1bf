// Fuzzes RequestParser: any bytes, fed whole and again in pieces whose sizes
// come from the input, must end in the same state, never crash and never
// consume more than given; a request that parses must agree with itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/request_parser.h"

namespace {

chirp::RequestParser FeedAll(std::string_view input, size_t piece) {
  chirp::RequestParser p(512);
  p.set_body_limit(4096);
  size_t used = 0;
  while (used < input.size() && (p.state() == chirp::RequestParser::State::kHead ||
                                 p.state() == chirp::RequestParser::State::kBody)) {
    const size_t n = p.Feed(input.substr(used, piece));
    if (n == 0 || n > piece) std::abort();  // no progress, or more than given
    used += n;
  }
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = 1 + data[0] % 13;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const chirp::RequestParser whole = FeedAll(input, input.size() + 1);
  chirp::RequestParser pieces = FeedAll(input, piece);
  if (whole.state() != pieces.state() || whole.error_status() != pieces.error_status())
    std::abort();
  if (whole.state() == chirp::RequestParser::State::kDone &&
      (whole.target() != pieces.target() || pieces.body().size() > 4096))
    std::abort();
  return 0;
}
