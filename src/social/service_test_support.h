// For the domain services' tests: a real store with accounts user1..userN,
// lookups that read it directly (what the API's directories do on a miss),
// a reader cache, and the events each service applied as its own writes.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/snowflake.h"
#include "social/lookups.h"
#include "social/viewer_cache.h"
#include "store/sqlite/temp_store.h"

namespace chirp {

// Accounts and statuses read straight from the store.
class StoreLookups final : public AccountLookup, public StatusLookup {
 public:
  explicit StoreLookups(Store& store) : store_(store) {}
  Result<AccountRef> Get(int64_t id) override {
    auto a = store_.FindAccount(id);
    if (!a) return std::move(a).error();
    return std::make_shared<const Account>(std::move(a).value());
  }
  Result<AccountRef> GetByUsername(std::string_view username) override {
    auto a = store_.FindAccountByUsername(username);
    if (!a) return std::move(a).error();
    return std::make_shared<const Account>(std::move(a).value());
  }
  Result<StatusRecord> FindLive(int64_t id) override { return store_.FindStatus(id); }
  uint64_t LoadToken(int64_t) const override { return 0; }

 private:
  Store& store_;
};

// Keeps the events a service applied, and forgets what the reader cache
// holds about their accounts (as the cache keeper would), so that a
// service's next check sees the change.
class AppliedEvents final : public OwnWrites {
 public:
  explicit AppliedEvents(ViewerCache& readers) : readers_(readers) {}
  void Apply(const OutboxEvent& event) override {
    events.push_back(event);
    readers_.Forget(event.account_id);
    readers_.Forget(event.subject_id);
  }
  std::vector<EventKind> kinds() const {
    std::vector<EventKind> out;
    for (const OutboxEvent& e : events) out.push_back(e.kind);
    return out;
  }
  std::vector<OutboxEvent> events;

 private:
  ViewerCache& readers_;
};

class ServiceTest : public ::testing::Test {
 protected:
  static constexpr int64_t kStart = SnowflakeGenerator::kEpochMillis + 1000LL * 24 * 3600 * 1000;

  void SetUp() override {
    temp_ = std::make_unique<TempStore>(
        std::string("service-") + ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        4);
    ASSERT_TRUE(temp_->ok()) << temp_->error();
    store_ = &temp_->store();
    lookups_ = std::make_unique<StoreLookups>(*store_);
    readers_ = std::make_unique<ViewerCache>(*store_, clock_);
    applied_ = std::make_unique<AppliedEvents>(*readers_);
  }

  // The outbox's events: what the store committed.
  std::vector<OutboxEvent> Committed() { return store_->ReadOutbox(0, 1000).value(); }

  ManualClock clock_{kStart};
  SnowflakeGenerator ids_{clock_, 1};
  std::unique_ptr<TempStore> temp_;
  SqliteStore* store_ = nullptr;
  std::unique_ptr<StoreLookups> lookups_;
  std::unique_ptr<ViewerCache> readers_;
  std::unique_ptr<AppliedEvents> applied_;
};

}  // namespace chirp
