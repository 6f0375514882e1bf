// The job that keeps uploads moving: every few minutes on its own thread,
// it takes up the uploads whose processing another process left
// (MediaService::ResumeAbandoned), then removes the files no status shows
// (MediaService::RemoveDisposable), a batch at a time until none is left.
// Every process may run one: two removing the same files at once both
// succeed, and an upload is processed by whichever claims it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "media/media_service.h"

namespace chirp {

class MediaJanitor {
 public:
  static constexpr auto kPeriod = std::chrono::minutes(5);
  static constexpr int kBatch = 200;

  // `media` must outlive the janitor.
  explicit MediaJanitor(MediaService& media);
  ~MediaJanitor() { Stop(); }
  MediaJanitor(const MediaJanitor&) = delete;
  MediaJanitor& operator=(const MediaJanitor&) = delete;

  // Ends the thread; idempotent.
  void Stop();

 private:
  void Run(MediaService& media);

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // last: starts after the members it uses
};

}  // namespace chirp
