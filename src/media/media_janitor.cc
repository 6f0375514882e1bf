#include "media/media_janitor.h"

#include <cstdio>

#include "core/thread_entry.h"

namespace chirp {

MediaJanitor::MediaJanitor(MediaService& media)
    : thread_([this, &media] { RunThread("media-janitor", [&] { Run(media); }); }) {}

void MediaJanitor::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MediaJanitor::Run(MediaService& media) {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, kPeriod, [this] { return stopping_; })) {
    lock.unlock();
    if (auto resumed = media.ResumeAbandoned(); !resumed) {
      std::fprintf(stderr, "chirpd: taking up abandoned media: %s\n",
                   resumed.error().message.c_str());
    }
    for (;;) {
      auto removed = media.RemoveDisposable(kBatch);
      if (!removed) {
        std::fprintf(stderr, "chirpd: removing unused media: %s\n",
                     removed.error().message.c_str());
        break;
      }
      if (*removed < kBatch) break;
      std::lock_guard stop(mu_);
      if (stopping_) return;
    }
    lock.lock();
  }
}

}  // namespace chirp
