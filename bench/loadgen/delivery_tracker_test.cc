#include "delivery_tracker.h"

#include <gtest/gtest.h>

namespace chirp::loadgen {
namespace {

using Clock = DeliveryTracker::Clock;
using std::chrono::milliseconds;

const Clock::time_point kT0{std::chrono::seconds(1000)};

TEST(DeliveryTracker, TimesEachEventFromItsPostsAnswer) {
  DeliveryTracker tracker;
  tracker.PostAnswered("1", kT0);
  tracker.PostAnswered("2", kT0 + milliseconds(5));
  tracker.UpdateReceived("1", kT0 + milliseconds(3));
  tracker.UpdateReceived("1", kT0 + milliseconds(7));
  tracker.UpdateReceived("2", kT0 + milliseconds(6));
  const DeliveryReport r = tracker.Report(/*expected_per_post=*/2);
  EXPECT_EQ(r.posts, 2u);
  EXPECT_EQ(r.events, 3u);
  EXPECT_EQ(r.missing, 1u);
  EXPECT_EQ(r.duplicates, 0u);
  EXPECT_EQ(r.early, 0u);
  EXPECT_EQ(r.unmatched, 0u);
  EXPECT_EQ(r.latency.Count(), 3u);
  EXPECT_EQ(r.latency.Min(), 1000u);
  EXPECT_EQ(r.latency.Max(), 7000u);
}

TEST(DeliveryTracker, AnEventBeforeTheAnswerCountsAsEarlyAndZero) {
  DeliveryTracker tracker;
  tracker.UpdateReceived("1", kT0);
  EXPECT_EQ(tracker.Report(1).unmatched, 1u) << "held until its post is answered";
  tracker.PostAnswered("1", kT0 + milliseconds(2));
  const DeliveryReport r = tracker.Report(1);
  EXPECT_EQ(r.events, 1u);
  EXPECT_EQ(r.early, 1u);
  EXPECT_EQ(r.unmatched, 0u);
  EXPECT_EQ(r.missing, 0u);
  EXPECT_EQ(r.latency.Max(), 0u);
}

TEST(DeliveryTracker, AnEventHeldOnlyByTheRaceToReportKeepsItsLatency) {
  // The answer arrived first, but its poster reported it after the event.
  DeliveryTracker tracker;
  tracker.UpdateReceived("1", kT0 + milliseconds(4));
  tracker.PostAnswered("1", kT0);
  const DeliveryReport r = tracker.Report(1);
  EXPECT_EQ(r.early, 0u);
  EXPECT_EQ(r.latency.Max(), 4000u);
}

TEST(DeliveryTracker, CountsMissingDuplicateAndUnmatchedEvents) {
  DeliveryTracker tracker;
  tracker.PostAnswered("1", kT0);
  tracker.PostAnswered("2", kT0);
  tracker.PostAnswered("2", kT0 + milliseconds(9));  // a second answer is ignored
  EXPECT_EQ(tracker.Missing(2), 4u);
  for (int i = 0; i < 3; ++i) tracker.UpdateReceived("1", kT0 + milliseconds(1));
  tracker.UpdateReceived("2", kT0 + milliseconds(1));
  tracker.UpdateReceived("someone else's", kT0);
  EXPECT_EQ(tracker.Missing(2), 1u);
  const DeliveryReport r = tracker.Report(2);
  EXPECT_EQ(r.posts, 2u);
  EXPECT_EQ(r.events, 4u);
  EXPECT_EQ(r.missing, 1u);
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_EQ(r.unmatched, 1u);
  EXPECT_EQ(r.latency.Max(), 1000u);
}

}  // namespace
}  // namespace chirp::loadgen
