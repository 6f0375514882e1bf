#include "events/outbox_drainer.h"

#include <set>
#include <string>

namespace chirp {

OutboxDrainer::OutboxDrainer(EventLog& log, const Clock& clock)
    : log_(log), clock_(clock), window_(std::make_shared<OutboxWindow>(log)) {}

OutboxDrainer::OutboxDrainer(EventLog& log, const Clock& clock,
                             const std::vector<EventConsumer*>& consumers)
    : OutboxDrainer(log, clock) {
  for (size_t i = 0; i < consumers.size(); ++i) {
    Add(*consumers[i],
        {.name = "consumer" + std::to_string(i + 1), .cursor = CursorKind::kDurable});
  }
}

OutboxDrainer::~OutboxDrainer() { Stop(); }

EventLane& OutboxDrainer::Add(EventConsumer& consumer, LaneOptions options) {
  lanes_.push_back(std::make_unique<EventLane>(log_, clock_, consumer, std::move(options), trim_,
                                               window_.get()));
  return *lanes_.back();
}

Status OutboxDrainer::Open() {
  std::set<std::string_view> names;
  for (const auto& lane : lanes_) {
    if (!names.insert(lane->name()).second) {
      return Error::Internal("two event consumers are named '" + lane->name() + "'");
    }
  }
  for (const auto& lane : lanes_) {
    if (Status s = lane->Open(); !s) {
      Error e = std::move(s).error();
      e.message = "opening the event lane '" + lane->name() + "': " + e.message;
      return e;
    }
  }
  opened_ = true;
  return {};
}

Status OutboxDrainer::Start() {
  if (!opened_) {
    if (Status s = Open(); !s) return s;
  }
  {
    std::lock_guard lock(wake_list_->mu);
    for (const auto& lane : lanes_) wake_list_->lanes.push_back(lane.get());
  }
  window_->FollowCommits(true);
  log_.SetCommitListener([list = wake_list_, window = window_] {
    window->NoteCommit();
    std::lock_guard lock(list->mu);
    for (EventLane* lane : list->lanes) lane->Wake();
  });
  for (const auto& lane : lanes_) lane->Start();
  started_ = true;
  return {};
}

void OutboxDrainer::Stop() {
  if (!started_) return;
  started_ = false;
  log_.SetCommitListener(nullptr);
  window_->FollowCommits(false);
  {
    std::lock_guard lock(wake_list_->mu);
    wake_list_->lanes.clear();
  }
  for (const auto& lane : lanes_) lane->Stop();
}

Status OutboxDrainer::DrainNow() {
  if (!opened_) {
    if (Status s = Open(); !s) return s;
  }
  Status first_failure;
  for (const auto& lane : lanes_) {
    for (;;) {
      const LaneStep step = lane->DrainOnce();
      if (step.next == LaneStep::Next::kNow) continue;
      if (step.next == LaneStep::Next::kAt && first_failure) {
        first_failure = Error::Unavailable(
            lane->name() + ": " + (step.problem.empty() ? "paused after a failure" : step.problem));
      }
      break;
    }
  }
  return first_failure;
}

const EventLane* OutboxDrainer::Find(std::string_view name) const {
  for (const auto& lane : lanes_) {
    if (lane->name() == name) return lane.get();
  }
  return nullptr;
}

std::vector<const EventLane*> OutboxDrainer::lanes() const {
  std::vector<const EventLane*> out;
  for (const auto& lane : lanes_) out.push_back(lane.get());
  return out;
}

}  // namespace chirp
