#include "app/worker_lease.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <vector>

namespace chirp {
namespace {

class WorkerLeaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::path(testing::TempDir()) /
            ("chirp-worker-lease-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
};

TEST_F(WorkerLeaseTest, HoldsEachIdOnceAtATime) {
  auto first = WorkerLease::Hold(dir_, 0);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->worker_id(), 0);
  auto again = WorkerLease::Hold(dir_, 0);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(again.error().message.find("worker id 0"), std::string::npos);
  EXPECT_TRUE(WorkerLease::Hold(dir_, 1).ok());  // another id is free
}

TEST_F(WorkerLeaseTest, ReleasesTheIdWhenTheLeaseEnds) {
  {
    auto lease = WorkerLease::Hold(dir_, 7);
    ASSERT_TRUE(lease.ok());
  }
  EXPECT_TRUE(WorkerLease::Hold(dir_, 7).ok());
  auto moved_from = WorkerLease::Hold(dir_, 8);
  ASSERT_TRUE(moved_from.ok());
  std::optional<WorkerLease> kept(std::move(*moved_from));
  EXPECT_FALSE(WorkerLease::Hold(dir_, 8).ok());  // the move keeps it held
  kept.reset();
  EXPECT_TRUE(WorkerLease::Hold(dir_, 8).ok());
}

TEST_F(WorkerLeaseTest, HandsOutTheHighestFreeIdsInTurn) {
  std::vector<WorkerLease> held;
  for (int64_t expected : {1023, 1022, 1021}) {
    auto lease = WorkerLease::HoldFree(dir_, 1020, 1023);
    ASSERT_TRUE(lease.ok()) << lease.error().message;
    EXPECT_EQ(lease->worker_id(), expected);
    held.push_back(std::move(*lease));
  }
  auto server = WorkerLease::Hold(dir_, 1020);
  ASSERT_TRUE(server.ok());
  auto none = WorkerLease::HoldFree(dir_, 1020, 1023);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kUnavailable);
  held.erase(held.begin());  // 1023 is free again
  auto next = WorkerLease::HoldFree(dir_, 1020, 1023);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->worker_id(), 1023);
}

}  // namespace
}  // namespace chirp
