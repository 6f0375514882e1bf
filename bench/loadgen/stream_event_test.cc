#include "stream_event.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace chirp::loadgen {
namespace {

// An event frame as chirpd writes it: the payload is the entity's JSON as a
// string.
std::string Frame(std::string_view event, std::string_view payload_json) {
  return R"({"stream":["user"],"event":")" + std::string(event) + R"(","payload":)" +
         boost::json::serialize(boost::json::string(payload_json)) + "}";
}

TEST(ParseStreamEvent, TakesTheStatusIdOfAnUpdate) {
  auto e = ParseStreamEvent(Frame(
      "update", R"({"id":"1234","account":{"id":"7","username":"a"},"content":"<p>\"hi\"</p>"})"));
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->event, "update");
  EXPECT_EQ(e->status_id, "1234");
}

TEST(ParseStreamEvent, FindsTheIdWhereverTheStatusPutsIt) {
  auto e = ParseStreamEvent(Frame("update", R"({"account":{"id":"7"},"id":"99"})"));
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->status_id, "99");
}

TEST(ParseStreamEvent, ReadsOtherEventsWithoutAnId) {
  auto e = ParseStreamEvent(R"({"stream":["user"],"event":"delete","payload":"1234"})");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->event, "delete");
  EXPECT_EQ(e->status_id, "");
}

TEST(ParseStreamEvent, RejectsWhatIsNoEvent) {
  EXPECT_FALSE(ParseStreamEvent(R"({"error":"Unknown stream type","status":400})").ok());
  EXPECT_FALSE(ParseStreamEvent("not json").ok());
  EXPECT_FALSE(ParseStreamEvent(R"(["update"])").ok());
  EXPECT_FALSE(ParseStreamEvent(R"({"event":"update","payload":{"id":"1"}})").ok())
      << "a payload must be a string";
  EXPECT_FALSE(ParseStreamEvent(Frame("update", R"({"id":12})")).ok()) << "ids are strings";
  EXPECT_FALSE(ParseStreamEvent(Frame("update", "{")).ok());
}

TEST(ParseStatusId, ReadsALeadingIdAndFallsBackToParsing) {
  EXPECT_EQ(*ParseStatusId(R"({"id":"110","created_at":"x"})"), "110");
  EXPECT_EQ(*ParseStatusId(R"({ "id" : "111" })"), "111");
  EXPECT_EQ(*ParseStatusId(R"({"id":"1\"2"})"), "1\"2") << "an escape leaves the fast path";
  EXPECT_FALSE(ParseStatusId(R"({"id":""})").ok());
  EXPECT_FALSE(ParseStatusId(R"({"error":"Validation failed"})").ok());
  EXPECT_FALSE(ParseStatusId(R"({"id":"12)").ok());
}

}  // namespace
}  // namespace chirp::loadgen
