#include "core/thread_entry.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

namespace chirp {
namespace {

TEST(RunThreadDeathTest, ReportsWhatEscapedAndExits) {
  EXPECT_EXIT(
      {
        std::thread worker(
            [] { RunThread("lane:test", [] { throw std::runtime_error("boom"); }); });
        worker.join();
      },
      ::testing::ExitedWithCode(kThreadFailureExitCode), "thread lane:test failed: boom; exiting");
}

TEST(RunThread, RunsTheBodyToItsEnd) {
  int runs = 0;
  std::thread worker([&] { RunThread("worker", [&] { ++runs; }); });
  worker.join();
  EXPECT_EQ(runs, 1);
}

}  // namespace
}  // namespace chirp
