#include "core/no_wait.h"

namespace chirp {
namespace {

thread_local int no_wait_depth = 0;

}  // namespace

NoWaitScope::NoWaitScope() { ++no_wait_depth; }
NoWaitScope::~NoWaitScope() { --no_wait_depth; }

bool MayWait() { return no_wait_depth == 0; }

}  // namespace chirp
