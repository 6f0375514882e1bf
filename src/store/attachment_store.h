// The part of the store that holds media attachments' records (their files
// are the media storage's, media/media_storage.h). The same contract as
// store.h: thread-safe, may block, writes are durable when they return Ok,
// expected failures are values.
//
// An attachment belongs to its account. It is attached to a status by
// CreateStatus (social_store.h), once, and from then on never changes: only
// an unattached one can be changed or deleted here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/records.h"

namespace chirp {

class AttachmentStore {
 public:
  virtual ~AttachmentStore() = default;

  virtual Status CreateMedia(const MediaAttachment& media) = 0;
  // kNotFound when absent (whoever owns it).
  virtual Result<MediaAttachment> FindMedia(int64_t id) = 0;
  // Records how processing of `media.id` ended: its type, state, files,
  // sizes, duration, frame rate, bitrate, blurhash and failure (not its
  // description and focus, which its owner may change meanwhile).
  // kNotFound when it is absent or attached.
  virtual Status RecordMediaProcessed(const MediaAttachment& media) = 0;
  // Sets the preview its owner gave to the unattached attachment `id` of
  // `account_id`, and `blurhash` as its blurhash, which processing keeps
  // from then on: kNotFound as DescribeMedia.
  virtual Status SetMediaThumbnail(int64_t id, int64_t account_id, const MediaFileInfo& thumbnail,
                                   const std::string& blurhash) = 0;
  // Sets the description and focus of the unattached attachment `id` of
  // `account_id`: kNotFound when it is not there, someone else's, or
  // attached.
  virtual Status DescribeMedia(int64_t id, int64_t account_id, const std::string& description,
                               double focus_x, double focus_y) = 0;
  // Deletes the unattached attachment `id` of `account_id` and returns it
  // (its files are the caller's to remove): kNotFound when it is not
  // there, someone else's, or attached.
  virtual Result<MediaAttachment> DeleteMedia(int64_t id, int64_t account_id) = 0;
  // Claims the processing of `id` for the process `owner` (its worker id)
  // until `until_ms`, so that no other process makes its files meanwhile:
  // false when it is processed no more, or another owner's claim lasts
  // past `now_ms`. The owner's own claim is renewed.
  virtual Result<bool> ClaimMediaProcessing(int64_t id, int64_t owner, int64_t now_ms,
                                            int64_t until_ms) = 0;
  // Attachments still processing that `owner` may take up at `now_ms`
  // (after a restart, or another process's end): its own claims and the
  // unclaimed or lapsed ones. Oldest first, `limit` at most.
  virtual Result<std::vector<MediaAttachment>> ListProcessingMedia(int64_t owner, int64_t now_ms,
                                                                   int limit) = 0;
  // Attachments whose files may go: never attached and created before
  // `unattached_before_ms`, or attached to a status deleted before
  // `deleted_before_ms`. Oldest first, `limit` at most.
  virtual Result<std::vector<MediaAttachment>> ListDisposableMedia(int64_t unattached_before_ms,
                                                                   int64_t deleted_before_ms,
                                                                   int limit) = 0;
  // Forgets the attachments `ids` once their files are gone.
  virtual Status ForgetMedia(const std::vector<int64_t>& ids) = 0;
};

}  // namespace chirp
