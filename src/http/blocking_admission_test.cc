#include "http/blocking_admission.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

using Clock = BlockingAdmission::Clock;
using std::chrono::seconds;

TEST(BlockingAdmission, ShedsRequestsBeyondTheQueueAndAdmitsAgainOnceOneStarts) {
  BlockingAdmission admission(2, seconds(10));
  const Clock::time_point t0{};
  auto a = admission.Enter(t0);
  auto b = admission.Enter(t0);
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(admission.Enter(t0).has_value());
  EXPECT_EQ(admission.waiting(), 2u);
  EXPECT_TRUE(admission.Start(*a, t0 + seconds(1)));
  EXPECT_TRUE(admission.Enter(t0 + seconds(1)).has_value());
}

TEST(BlockingAdmission, ARequestThatWaitedPastItsDeadlineDoesNotRun) {
  BlockingAdmission admission(8, seconds(10));
  const Clock::time_point t0{};
  auto on_time = admission.Enter(t0);
  auto late = admission.Enter(t0);
  EXPECT_TRUE(admission.Start(*on_time, t0 + seconds(10)));
  EXPECT_FALSE(admission.Start(*late, t0 + seconds(11)));
  EXPECT_EQ(admission.waiting(), 0u);  // it left the queue all the same
}

}  // namespace
}  // namespace chirp
