// Names the calling thread as operators see it (top -H, perf, /proc), e.g.
// "net-1", "sqlite-writer", "lane:fan_out". Linux keeps 15 bytes of a name:
// a longer one is cut.
#pragma once

#include <string_view>

namespace chirp {

void NameThisThread(std::string_view name);

}  // namespace chirp
