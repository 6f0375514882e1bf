// Uploads: what a client sends through /api/v2/media becomes an attachment
// kept in the media storage (media/media_storage.h) with its record in the
// store (store/attachment_store.h), ready to be attached to a status.
//
// An image is processed within the request (media/image_processing.h): the
// original and the preview written, then the record. At most
// `MediaLimits::processing_slots` images are processed at once, however many
// requests ask, so that uploads cannot take every core from the rest of the
// API; the others wait their turn.
//
// Video, GIFs and audio are processed in the background, by one process at
// a time whichever instance took the upload: a process claims an upload in
// the store before it processes it (AttachmentStore::ClaimMediaProcessing),
// for longer than processing may take, and takes up at its start, then
// every few minutes (ResumeAbandoned), the uploads whose claim lapsed, such
// as those of an instance that stopped on the way.
//
// Only the account that uploaded a file sees, changes or deletes it; to
// anyone else it does not exist (kNotFound).
//
// Thread-safe; calls block on the store, the disk and the processing.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/snowflake.h"
#include "media/image_processing.h"
#include "media/media_storage.h"
#include "media/video_processing.h"
#include "social/profile_images.h"
#include "store/attachment_store.h"

namespace chirp {

struct MediaLimits {
  ImageLimits image;
  VideoLimits video;
  size_t max_description = 1500;  // characters
  int processing_slots = 2;       // images processed at once
  int background_slots = 1;       // video, GIFs and audio processed at once
  // How long a process's claim on an upload's processing lasts: past the
  // time limits of the children processing runs (ChildLimits::wall_time
  // each, three at most), with room to spare.
  int64_t claim_ms = 15 * 60 * 1000;
  // How long an upload may wait to be attached before its files go.
  int64_t unattached_lifetime_ms = 24 * 3600 * 1000;
};

// The MIME types accepted, as /api/v2/instance lists them.
inline constexpr std::string_view kMediaMimeTypes[] = {
    "image/jpeg", "image/png", "image/gif",       "image/webp", "image/heic", "image/heif",
    "image/avif", "video/mp4", "video/quicktime", "video/webm", "audio/mpeg", "audio/mp3",
    "audio/ogg",  "audio/wav", "audio/wave",      "audio/flac", "audio/mp4",  "audio/x-m4a"};

struct MediaUpload {
  int64_t account_id = 0;
  std::string_view bytes;
  std::string_view declared_type;  // the form part's Content-Type; "" when none
  std::optional<std::string> description;
  std::optional<std::string> focus;  // "x,y"
  // A preview to show instead of the one processing makes (video, GIFs
  // and audio only).
  std::optional<UploadedImage> thumbnail;
  // Video, GIFs and audio processed before Upload returns (POST
  // /api/v1/media) rather than in the background.
  bool synchronous = false;
};

// What PUT /api/v1/media/:id may change; absent members stay.
struct MediaChange {
  std::optional<std::string> description;
  std::optional<std::string> focus;
  std::optional<UploadedImage> thumbnail;  // as MediaUpload's
};

// A focal point "x,y", each a number in -1..1: kUnprocessable otherwise.
Result<std::pair<double, double>> ParseFocus(std::string_view focus);

class MediaService final : public ProfileImages {
 public:
  // Everything must outlive the service.
  // `work_dir` holds what processing makes before it is stored (created
  // when missing). Processing is claimed in the name of `ids`'s worker id.
  MediaService(AttachmentStore& store, MediaStorage& storage, SnowflakeGenerator& ids,
               const Clock& clock, MediaLimits limits, std::string work_dir);

  ~MediaService() override { Stop(); }

  // Starts the background processing: uploads left processing by an
  // earlier run of this worker id, or by a process whose claim lapsed, are
  // taken up again.
  Status Start();
  // Takes up the uploads whose processing claim lapsed (the process that
  // claimed them stopped). Returns how many were queued.
  Result<int> ResumeAbandoned();
  // Ends it, letting what is being processed finish; idempotent.
  void Stop();

  // Keeps an upload. An image is processed within the call (state ready);
  // video, an animated GIF or audio is kept as it came and processed in the
  // background (state processing until it is ready or failed), unless
  // `synchronous`. kUnprocessable for a file of no accepted format, whose
  // bytes do not match its declared type, that cannot be decoded, whose
  // description, focus or thumbnail is invalid, or for a thumbnail of an
  // image; kPayloadTooLarge beyond the size limit of its kind.
  Result<MediaAttachment> Upload(const MediaUpload& upload);
  // The account's upload `id`, attached or not.
  Result<MediaAttachment> Find(int64_t account_id, int64_t id);
  // Changes the description, focus or thumbnail of the account's
  // unattached upload (the thumbnail: video, GIFs and audio only,
  // kUnprocessable otherwise).
  Result<MediaAttachment> Update(int64_t account_id, int64_t id, const MediaChange& change);
  // Deletes the account's unattached upload and its files: kUnprocessable
  // when a status uses it.
  Status Delete(int64_t account_id, int64_t id);
  // Removes the files and records of up to `limit` attachments no status
  // shows (AttachmentStore::ListDisposableMedia): uploads never attached
  // within their lifetime, media of statuses deleted. Returns how many.
  Result<int> RemoveDisposable(int limit);

  // ProfileImages: an avatar cropped to 400 x 400, a header within
  // 1500 x 500, named "<new key>/avatar.<ext>" or "<new key>/header.<ext>";
  // an animated one (within ImageLimits::max_animation_pixels) is kept as
  // a GIF beside its first frame (StillImageName, store/records.h).
  Result<std::string> KeepProfileImage(int64_t account_id, ProfileImageKind kind,
                                       const UploadedImage& upload) override;
  void DiscardProfileImage(const std::string& name) override;

  const MediaLimits& limits() const { return limits_; }

 private:
  Status CheckDescription(const std::string& description) const;
  // The thumbnail's file, its blurhash in `blurhash`, named for `file_key`.
  Result<MediaFileInfo> KeepThumbnail(const std::string& file_key, const UploadedImage& upload,
                                      std::string* blurhash);
  // Queues `id` for the background workers unless it is queued.
  void Enqueue(int64_t id);
  // Keeps an upload of video, GIF or audio as it came, for ProcessInBackground.
  Result<MediaAttachment> KeepForProcessing(MediaAttachment media, MediaContainer container,
                                            const MediaUpload& upload);
  // Makes the files of the upload `id` left processing, and records it
  // ready or failed.
  void ProcessInBackground(int64_t id);
  void RunWorker();
  // Probes `bytes` and checks them against their declared type.
  Result<ImageProbe> Identify(std::string_view bytes, std::string_view declared_type) const;
  // Removes the files of `media`: false, with what could not be removed
  // logged, when some stay.
  bool RemoveFiles(const MediaAttachment& media);

  AttachmentStore& store_;
  MediaStorage& storage_;
  SnowflakeGenerator& ids_;
  const Clock& clock_;
  const MediaLimits limits_;
  const std::string work_dir_;
  std::counting_semaphore<> processing_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<int64_t> queue_;           // guarded by mu_: uploads waiting to be processed
  std::unordered_set<int64_t> queued_;  // guarded by mu_: what queue_ holds
  bool stopping_ = false;               // guarded by mu_
  std::vector<std::thread> workers_;
};

}  // namespace chirp
