#include "app/admin_commands.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <sstream>

#include "store/sqlite/outbox_rows.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"

namespace chirp {
namespace {

// `chirpd admin events` on a data directory whose store holds two dead
// letters of the notifier and one of fan-out, the notifier's cursor at 2,
// and three events in the outbox.
class EventsCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("chirp-admin-events-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = SqliteStore::Open({.path = (dir_ / "chirp.db").string(), .synchronous = "NORMAL"});
    ASSERT_TRUE(store.ok()) << store.error().message;
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE((*store)
                      ->Write([](SqliteDb& db) {
                        return AppendEvent(db, {.kind = EventKind::kFollowed,
                                                .account_id = 1,
                                                .subject_id = 2,
                                                .created_at_ms = 1000});
                      })
                      .ok());
    }
    ASSERT_TRUE((*store)->SaveCursor("notifier", 2, 5000, 0).ok());
    for (const auto& [consumer, event_id] : std::vector<std::pair<std::string, int64_t>>{
             {"notifier", 1}, {"notifier", 2}, {"fan_out", 3}}) {
      DeadLetter letter{.consumer = consumer,
                        .event = {.id = event_id,
                                  .kind = EventKind::kStatusCreated,
                                  .account_id = 10,
                                  .subject_id = 20,
                                  .created_at_ms = 1000},
                        .attempts = 6,
                        .last_error = "boom",
                        .failed_at_ms = 2000};
      ASSERT_TRUE((*store)->AddDeadLetter(letter).ok());
    }
    (*store)->Close();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs `chirpd admin events ARGS --data DIR`; the JSON objects printed.
  std::vector<boost::json::object> Run(std::vector<std::string> args) {
    args.push_back("--data");
    args.push_back(dir_.string());
    auto out = RunEventsCommand(std::move(args));
    EXPECT_TRUE(out.ok()) << (out ? "" : out.error().message);
    std::vector<boost::json::object> lines;
    if (!out) return lines;
    std::istringstream in(*out);
    for (std::string line; std::getline(in, line);) {
      lines.push_back(boost::json::parse(line).as_object());
    }
    return lines;
  }
  Error Failure(std::vector<std::string> args) {
    args.push_back("--data");
    args.push_back(dir_.string());
    auto out = RunEventsCommand(std::move(args));
    EXPECT_FALSE(out.ok());
    return out ? Error{} : out.error();
  }

  std::filesystem::path dir_;
};

TEST_F(EventsCommandTest, ListPrintsEveryDeadLetterWithItsEvent) {
  auto all = Run({"list"});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].at("consumer").as_string(), "notifier");
  EXPECT_EQ(all[0].at("event_id").as_int64(), 1);
  EXPECT_EQ(all[0].at("kind").as_string(), "status_created");
  EXPECT_EQ(all[0].at("account_id").as_string(), "10");
  EXPECT_EQ(all[0].at("attempts").as_int64(), 6);
  EXPECT_EQ(all[0].at("last_error").as_string(), "boom");
  EXPECT_FALSE(all[0].at("replay").as_bool());
  EXPECT_EQ(Run({"list", "--consumer", "fan_out"}).size(), 1u);
}

TEST_F(EventsCommandTest, ReplayMarksOneOrAllOfAConsumer) {
  const int64_t first = Run({"list"}).at(0).at("id").as_int64();
  auto marked = Run({"replay", "--id", std::to_string(first)});
  ASSERT_EQ(marked.size(), 1u);
  EXPECT_EQ(marked[0].at("marked").as_int64(), 1);
  EXPECT_EQ(Run({"replay", "--all", "--consumer", "fan_out"}).at(0).at("marked").as_int64(), 1);
  auto all = Run({"list"});
  EXPECT_TRUE(all[0].at("replay").as_bool());
  EXPECT_FALSE(all[1].at("replay").as_bool());
  EXPECT_TRUE(all[2].at("replay").as_bool());
}

TEST_F(EventsCommandTest, ReplayAndDropNeedAnIdOrAll) {
  EXPECT_EQ(Failure({"replay"}).code, ErrorCode::kBadRequest);
  EXPECT_EQ(Failure({"drop", "--id", "1", "--all"}).code, ErrorCode::kBadRequest);
  EXPECT_EQ(Failure({"replay", "--id", "x"}).code, ErrorCode::kBadRequest);
  EXPECT_EQ(Failure({"replay", "--id", "999"}).code, ErrorCode::kNotFound);
  EXPECT_EQ(Failure({"rewind"}).code, ErrorCode::kBadRequest);
}

TEST_F(EventsCommandTest, DropDeletesTheSelected) {
  EXPECT_EQ(Run({"drop", "--all", "--consumer", "notifier"}).at(0).at("dropped").as_int64(), 2);
  auto left = Run({"list"});
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].at("consumer").as_string(), "fan_out");
}

TEST_F(EventsCommandTest, StatusShowsTheOutboxCursorsAndDeadLetters) {
  Run({"replay", "--all", "--consumer", "fan_out"});
  auto status = Run({"status"});
  ASSERT_EQ(status.size(), 1u);
  const auto& s = status[0];
  EXPECT_EQ(s.at("outbox").at("events").as_int64(), 3);
  EXPECT_EQ(s.at("outbox").at("newest_id").as_int64(), 3);
  const auto& cursors = s.at("cursors").as_array();
  ASSERT_EQ(cursors.size(), 1u);
  EXPECT_EQ(cursors[0].at("consumer").as_string(), "notifier");
  EXPECT_EQ(cursors[0].at("last_id").as_int64(), 2);
  EXPECT_EQ(cursors[0].at("pending").as_int64(), 1);
  EXPECT_EQ(s.at("dead_letters").at("waiting").as_int64(), 3);
  EXPECT_EQ(s.at("dead_letters").at("marked").as_int64(), 1);
}

}  // namespace
}  // namespace chirp
