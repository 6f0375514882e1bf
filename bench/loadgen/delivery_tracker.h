// Delivery latency of the streaming API: from the answer to a post to the
// update event that brings the status to each connected follower.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "histogram.h"

namespace chirp::loadgen {

struct DeliveryReport {
  uint64_t posts = 0;       // answered with a status id
  uint64_t events = 0;      // update events matched to one of those posts
  uint64_t early = 0;       // of the events, how many came before the post's answer
  uint64_t missing = 0;     // expected events that did not come
  uint64_t duplicates = 0;  // events beyond those expected for their post
  uint64_t unmatched = 0;   // updates of statuses the benchmark did not post
  // Microseconds from the post's answer to the event's arrival, one sample
  // per matched event; an event earlier than the answer counts as 0.
  Histogram latency;
};

// Matches the statuses the benchmark posts with the update events its
// follower connections receive. Thread-safe: posters and connections report
// from their own threads, and the times they give must come from one
// steady clock.
class DeliveryTracker {
 public:
  using Clock = std::chrono::steady_clock;

  // The post that made status `id` was answered at `answered`. Events of it
  // held until now are matched with it.
  void PostAnswered(const std::string& id, Clock::time_point answered);

  // An update event of status `id` arrived at `arrived`. An id not yet
  // answered is held until its post's answer comes (the event won the
  // race); one never answered counts as unmatched.
  void UpdateReceived(const std::string& id, Clock::time_point arrived);

  // The events still to come if every post is to reach `expected_per_post`
  // connections.
  uint64_t Missing(uint64_t expected_per_post) const;

  DeliveryReport Report(uint64_t expected_per_post) const;

 private:
  struct Post {
    Clock::time_point answered;
    uint64_t events = 0;
  };

  // Counts an event of `post` and its latency. With mu_ held.
  void Match(Post& post, Clock::time_point arrived);

  mutable std::mutex mu_;
  std::unordered_map<std::string, Post> posts_;                            // guarded by mu_
  std::unordered_map<std::string, std::vector<Clock::time_point>> early_;  // guarded by mu_
  uint64_t events_ = 0;                                                    // guarded by mu_
  uint64_t early_events_ = 0;                                              // guarded by mu_
  Histogram latency_;                                                      // guarded by mu_
};

}  // namespace chirp::loadgen
