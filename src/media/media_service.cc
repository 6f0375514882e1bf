#include "media/media_service.h"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <tuple>
#include <utility>
#include <vector>

#include "core/secrets.h"
#include "core/text.h"
#include "core/thread_entry.h"

namespace chirp {

namespace {

// An upload of video, GIF or audio as it came, until processed.
constexpr const char* kSourceFile = "source.bin";
// Uploads left processing taken up again at once, at most.
constexpr int kResumeBatch = 10000;

// The MIME types a format may be declared as.
bool DeclaredAs(ImageFormat format, std::string_view declared) {
  switch (format) {
    case ImageFormat::kJpeg:
      return declared == "image/jpeg" || declared == "image/jpg" || declared == "image/pjpeg";
    case ImageFormat::kPng:
      return declared == "image/png" || declared == "image/apng";
    case ImageFormat::kGif:
      return declared == "image/gif";
    case ImageFormat::kWebp:
      return declared == "image/webp";
    case ImageFormat::kHeif:
      return declared == "image/heic" || declared == "image/heif" || declared == "image/avif";
  }
  return false;
}

// Whether the declared type says nothing of the content: absent, or the
// generic type of a client that does not know it.
bool Undeclared(std::string_view declared) {
  return declared.empty() || declared == "application/octet-stream";
}

std::string_view ExtensionOf(std::string_view mime_type) {
  return mime_type == "image/png" ? "png" : "jpg";
}

// Runs `work` in one of the processing `slots`, waiting for one.
template <typename Work>
auto InSlot(std::counting_semaphore<>& slots, Work&& work) {
  slots.acquire();
  auto out = work();
  slots.release();
  return out;
}

Error ThumbnailOfAnImage() {
  return Error::Unprocessable("Validation failed: Thumbnail can only be given for video and audio");
}

MediaFileInfo FileInfo(std::string name, const ImageFile& file) {
  return {std::move(name), file.mime_type, file.width, file.height,
          static_cast<int64_t>(file.bytes.size())};
}

}  // namespace

Result<std::pair<double, double>> ParseFocus(std::string_view focus) {
  const Error invalid = Error::Unprocessable(
      "Validation failed: Focus must be two numbers from -1.0 to 1.0 separated by a comma");
  const size_t comma = focus.find(',');
  if (comma == std::string_view::npos) return invalid;
  double xy[2];
  const std::string_view parts[2] = {TrimAscii(focus.substr(0, comma)),
                                     TrimAscii(focus.substr(comma + 1))};
  for (int i = 0; i < 2; ++i) {
    const std::string_view part = parts[i];
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), xy[i]);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size() ||
        !std::isfinite(xy[i]) || xy[i] < -1 || xy[i] > 1) {
      return invalid;
    }
  }
  return std::pair{xy[0], xy[1]};
}

MediaService::MediaService(AttachmentStore& store, MediaStorage& storage, SnowflakeGenerator& ids,
                           const Clock& clock, MediaLimits limits, std::string work_dir)
    : store_(store),
      storage_(storage),
      ids_(ids),
      clock_(clock),
      limits_(limits),
      work_dir_(std::move(work_dir)),
      processing_(std::max(1, limits.processing_slots)) {}

Status MediaService::Start() {
  std::error_code ec;
  std::filesystem::create_directories(work_dir_, ec);
  if (ec) return Error::Unavailable("cannot create " + work_dir_ + ": " + ec.message());
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  if (auto resumed = ResumeAbandoned(); !resumed) return std::move(resumed).error();
  for (int i = 0; i < std::max(1, limits_.background_slots); ++i) {
    workers_.emplace_back([this] { RunThread("media-worker", [this] { RunWorker(); }); });
  }
  return {};
}

void MediaService::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

Result<int> MediaService::ResumeAbandoned() {
  auto left = store_.ListProcessingMedia(ids_.worker_id(), clock_.NowMillis(), kResumeBatch);
  if (!left) return std::move(left).error();
  for (const MediaAttachment& m : *left) Enqueue(m.id);
  return static_cast<int>(left->size());
}

void MediaService::Enqueue(int64_t id) {
  {
    std::lock_guard lock(mu_);
    if (!queued_.insert(id).second) return;
    queue_.push_back(id);
  }
  cv_.notify_one();
}

void MediaService::RunWorker() {
  for (;;) {
    int64_t id = 0;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      id = queue_.front();
      queue_.pop_front();
      queued_.erase(id);
    }
    ProcessInBackground(id);
  }
}

Status MediaService::CheckDescription(const std::string& description) const {
  if (CountCodePoints(description) > limits_.max_description) {
    return Error::Unprocessable("Validation failed: Description is too long (maximum is " +
                                std::to_string(limits_.max_description) + " characters)");
  }
  return {};
}

Result<MediaAttachment> MediaService::Upload(const MediaUpload& upload) {
  MediaAttachment media;
  if (upload.description) {
    if (Status st = CheckDescription(*upload.description); !st) return std::move(st).error();
    media.description = *upload.description;
  }
  if (upload.focus) {
    auto focus = ParseFocus(*upload.focus);
    if (!focus) return std::move(focus).error();
    std::tie(media.focus_x, media.focus_y) = *focus;
  }
  // Video and audio by their first bytes; GIFs are images until their
  // header says they move.
  const auto container = SniffContainer(upload.bytes.substr(0, 64));
  if (container && *container != MediaContainer::kGif) {
    return KeepForProcessing(std::move(media), *container, upload);
  }
  // An image's header alone first: what is refused is refused before a
  // slot is taken or a pixel decoded.
  auto probe = Identify(upload.bytes, upload.declared_type);
  if (!probe) return std::move(probe).error();
  if (probe->frames > 1) {  // an animated GIF or WebP becomes a gifv
    if (probe->format != ImageFormat::kGif) {
      return Error::Unprocessable("Validation failed: Animated WebP is not accepted; send a GIF");
    }
    return KeepForProcessing(std::move(media), MediaContainer::kGif, upload);
  }
  if (upload.thumbnail) return ThumbnailOfAnImage();
  auto processed = InSlot(processing_, [&] { return ProcessImage(upload.bytes, limits_.image); });
  if (!processed) return std::move(processed).error();

  media.id = ids_.Next();
  media.account_id = upload.account_id;
  media.type = MediaType::kImage;
  media.state = MediaState::kReady;
  media.file_key = RandomHex(16);
  const std::string prefix = media.file_key + "/";
  media.original =
      FileInfo(prefix + "original." + std::string(ExtensionOf(processed->original.mime_type)),
               processed->original);
  media.small = FileInfo(prefix + "small." + std::string(ExtensionOf(processed->small.mime_type)),
                         processed->small);
  media.blurhash = std::move(processed->blurhash);
  media.created_at_ms = clock_.NowMillis();

  Status kept = storage_.Put(media.original.name, processed->original.bytes);
  if (kept) kept = storage_.Put(media.small.name, processed->small.bytes);
  if (kept) kept = store_.CreateMedia(media);
  if (!kept) {
    RemoveFiles(media);
    return std::move(kept).error();
  }
  return media;
}

Result<MediaAttachment> MediaService::KeepForProcessing(MediaAttachment media,
                                                        MediaContainer container,
                                                        const MediaUpload& upload) {
  const std::string_view declared = upload.declared_type;
  const bool audio = ExpectedMediaType(container) == MediaType::kAudio;
  const bool declared_fits =
      Undeclared(declared) || declared.starts_with(audio ? "audio/" : "video/") ||
      (container == MediaContainer::kGif && declared == "image/gif") ||
      (container == MediaContainer::kMp4 && declared.starts_with("audio/")) ||
      (container == MediaContainer::kOgg && declared.starts_with("video/"));
  if (!declared_fits) {
    return Error::Unprocessable("Validation failed: File content does not match its type (" +
                                std::string(declared) + ")");
  }
  if (static_cast<int64_t>(upload.bytes.size()) > limits_.video.max_bytes) {
    return Error{ErrorCode::kPayloadTooLarge, "The file is too large", {}, {}};
  }
  media.id = ids_.Next();
  media.account_id = upload.account_id;
  media.type = ExpectedMediaType(container);
  media.state = MediaState::kProcessing;
  media.file_key = RandomHex(16);
  media.created_at_ms = clock_.NowMillis();
  if (upload.thumbnail) {
    auto thumbnail = KeepThumbnail(media.file_key, *upload.thumbnail, &media.blurhash);
    if (!thumbnail) return std::move(thumbnail).error();
    media.thumbnail = std::move(thumbnail).value();
  }
  // The upload as it came, until its versions are made (a restart takes it
  // up again from there).
  const std::string source = media.file_key + "/" + kSourceFile;
  Status kept = storage_.Put(source, upload.bytes);
  if (kept) kept = store_.CreateMedia(media);
  if (!kept) {
    RemoveFiles(media);
    return std::move(kept).error();
  }
  // Claimed for this process, which queues it, so that no other takes it
  // up unless this one stops first (should the claim fail, another may take
  // it first: processing claims it again).
  (void)store_.ClaimMediaProcessing(media.id, ids_.worker_id(), media.created_at_ms,
                                    media.created_at_ms + limits_.claim_ms);
  if (upload.synchronous) {
    ProcessInBackground(media.id);
    return store_.FindMedia(media.id);
  }
  Enqueue(media.id);
  return media;
}

void MediaService::ProcessInBackground(int64_t id) {
  // Claimed first: another process may have taken it up, or finished it.
  const int64_t now = clock_.NowMillis();
  auto claimed = store_.ClaimMediaProcessing(id, ids_.worker_id(), now, now + limits_.claim_ms);
  if (!claimed || !*claimed) return;
  auto found = store_.FindMedia(id);
  if (!found || found->state != MediaState::kProcessing) return;
  MediaAttachment media = std::move(found).value();
  const std::string source_name = media.file_key + "/" + kSourceFile;
  const auto finish = [&](Status outcome) {
    if (!outcome) {
      MediaAttachment made = media;
      made.thumbnail = {};  // its owner's, kept while the record is
      RemoveFiles(made);
      media.original = {};
      media.small = {};
      media.state = MediaState::kFailed;
      media.failure = outcome.error().message;
    } else {
      media.state = MediaState::kReady;
    }
    if (Status st = store_.RecordMediaProcessed(media); !st) {
      std::fprintf(stderr, "chirpd: media %lld: %s\n", static_cast<long long>(id),
                   st.error().message.c_str());
      return;  // left processing: tried again at the next start
    }
    (void)storage_.Remove(source_name);
  };
  auto source = storage_.Open(source_name);
  if (!source) return finish(Error::Unprocessable("The upload was lost before it was processed"));
  std::string head(64, '\0');
  const ssize_t n = ::pread((*source)->fd(), head.data(), head.size(), 0);
  head.resize(n > 0 ? static_cast<size_t>(n) : 0);
  const auto container = SniffContainer(head);
  if (!container) return finish(Error::Unprocessable("The file is of no accepted type"));
  auto made = InSlot(processing_, [&] {
    return ProcessMedia((*source)->fd(), *container, work_dir_, media.file_key, limits_.video);
  });
  if (!made) return finish(std::move(made).error());
  const bool video = made->type != MediaType::kAudio;
  media.type = made->type;
  media.original = {media.file_key + (video ? "/original.mp4" : "/original.mp3"), made->mime_type,
                    made->probe.width, made->probe.height, 0};
  std::error_code ec;
  media.original.bytes = static_cast<int64_t>(std::filesystem::file_size(made->path, ec));
  media.duration_ms = static_cast<int64_t>(made->probe.seconds * 1000);
  media.frame_rate = made->probe.frame_rate;
  media.bitrate = made->probe.bitrate;
  Status kept = storage_.PutFile(media.original.name, made->path);
  if (kept && video) {
    // The poster, as an image's preview, with its blurhash.
    std::string poster;
    {
      std::ifstream in(made->poster, std::ios::binary);
      poster.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::filesystem::remove(made->poster, ec);
    auto image = ProcessImage(poster, limits_.image);
    if (!image) {
      kept = std::move(image).error();
    } else {
      media.small =
          FileInfo(media.file_key + "/small." + std::string(ExtensionOf(image->small.mime_type)),
                   image->small);
      media.blurhash = std::move(image->blurhash);
      kept = storage_.Put(media.small.name, image->small.bytes);
    }
  }
  std::filesystem::remove(made->path, ec);
  finish(std::move(kept));
}

Result<ImageProbe> MediaService::Identify(std::string_view bytes,
                                          std::string_view declared_type) const {
  if (bytes.empty()) return Error::Unprocessable("Validation failed: File is empty");
  auto probe = ProbeImage(bytes, limits_.image);
  if (!probe) return probe;
  if (!Undeclared(declared_type) && !DeclaredAs(probe->format, declared_type)) {
    return Error::Unprocessable("Validation failed: File content does not match its type (" +
                                std::string(declared_type) + ")");
  }
  return probe;
}

Result<std::string> MediaService::KeepProfileImage(int64_t, ProfileImageKind kind,
                                                   const UploadedImage& upload) {
  auto probe = Identify(upload.bytes, upload.declared_type);
  if (!probe) return std::move(probe).error();
  const bool avatar = kind == ProfileImageKind::kAvatar;
  const ImageBox box = avatar ? ImageBox{400, 400, true} : ImageBox{1500, 500, false};
  const std::string stem = RandomHex(16) + (avatar ? "/avatar." : "/header.");
  auto still =
      InSlot(processing_, [&] { return ProcessImageInBox(upload.bytes, limits_.image, box); });
  if (!still) return std::move(still).error();
  // A moving one as a GIF beside its first frame, whose name follows from
  // it (StillImageName); one with too many frames or pixels stays still.
  if (probe->frames > 1) {
    auto moving = InSlot(processing_,
                         [&] { return ProcessAnimationInBox(upload.bytes, limits_.image, box); });
    if (moving) {
      const std::string name = stem + "gif";
      if (Status st = storage_.Put(StillImageName(name), still->bytes); !st) {
        return std::move(st).error();
      }
      if (Status st = storage_.Put(name, moving->bytes); !st) {
        DiscardProfileImage(name);
        return std::move(st).error();
      }
      return name;
    }
  }
  // A still one is never a GIF (ExtensionOf), so never taken for a moving one.
  const std::string name = stem + std::string(ExtensionOf(still->mime_type));
  if (Status st = storage_.Put(name, still->bytes); !st) return std::move(st).error();
  return name;
}

void MediaService::DiscardProfileImage(const std::string& name) {
  const std::string still = StillImageName(name);
  for (const std::string* file : {&name, &still}) {
    if (file == &still && still == name) continue;
    if (Status st = storage_.Remove(*file); !st) {
      std::fprintf(stderr, "chirpd: profile image %s: %s\n", file->c_str(),
                   st.error().message.c_str());
    }
  }
}

Result<MediaFileInfo> MediaService::KeepThumbnail(const std::string& file_key,
                                                  const UploadedImage& upload,
                                                  std::string* blurhash) {
  auto probe = Identify(upload.bytes, upload.declared_type);
  if (!probe) {
    Error error = std::move(probe).error();
    error.message = "Thumbnail: " + error.message;
    return error;
  }
  // One version, the size of a preview, with its blurhash.
  ImageLimits limits = limits_.image;
  limits.original_area = limits.small_area;
  auto image = InSlot(processing_, [&] { return ProcessImage(upload.bytes, limits); });
  if (!image) return std::move(image).error();
  MediaFileInfo file = FileInfo(file_key + "/thumb" + RandomHex(4) + "." +
                                    std::string(ExtensionOf(image->original.mime_type)),
                                image->original);
  if (Status st = storage_.Put(file.name, image->original.bytes); !st) {
    return std::move(st).error();
  }
  *blurhash = std::move(image->blurhash);
  return file;
}

Result<MediaAttachment> MediaService::Find(int64_t account_id, int64_t id) {
  auto media = store_.FindMedia(id);
  if (!media) return media;
  if (media->account_id != account_id) return Error::NotFound();
  return media;
}

Result<MediaAttachment> MediaService::Update(int64_t account_id, int64_t id,
                                             const MediaChange& change) {
  auto media = Find(account_id, id);
  if (!media) return media;
  if (media->status_id != 0) return Error::NotFound();  // as Mastodon: only unattached ones
  if (change.description) {
    if (Status st = CheckDescription(*change.description); !st) return std::move(st).error();
    media->description = *change.description;
  }
  if (change.focus) {
    auto focus = ParseFocus(*change.focus);
    if (!focus) return std::move(focus).error();
    std::tie(media->focus_x, media->focus_y) = *focus;
  }
  if (change.thumbnail) {
    if (media->type == MediaType::kImage) return ThumbnailOfAnImage();
    std::string blurhash;
    auto thumbnail = KeepThumbnail(media->file_key, *change.thumbnail, &blurhash);
    if (!thumbnail) return std::move(thumbnail).error();
    Status set = store_.SetMediaThumbnail(id, account_id, *thumbnail, blurhash);
    // The file no record shows goes: the new one when it was not kept, the
    // replaced one when it was.
    const std::string gone = set ? media->thumbnail.name : thumbnail->name;
    if (!gone.empty()) (void)storage_.Remove(gone);
    if (!set) return std::move(set).error();
    media->thumbnail = std::move(thumbnail).value();
    media->blurhash = std::move(blurhash);
  }
  if (Status st =
          store_.DescribeMedia(id, account_id, media->description, media->focus_x, media->focus_y);
      !st) {
    return std::move(st).error();
  }
  return media;
}

Status MediaService::Delete(int64_t account_id, int64_t id) {
  auto deleted = store_.DeleteMedia(id, account_id);
  if (!deleted) {
    if (deleted.error().code != ErrorCode::kNotFound) return std::move(deleted).error();
    // Not deletable: someone else's or absent (404), or attached (422).
    auto media = Find(account_id, id);
    if (!media) return std::move(media).error();
    if (media->status_id != 0) {
      return Error::Unprocessable("Media attachment is currently used by a status");
    }
    return Error::NotFound();
  }
  RemoveFiles(*deleted);
  return {};
}

Result<int> MediaService::RemoveDisposable(int limit) {
  const int64_t now = clock_.NowMillis();
  auto disposable = store_.ListDisposableMedia(now - limits_.unattached_lifetime_ms, now, limit);
  if (!disposable) return std::move(disposable).error();
  std::vector<int64_t> gone;
  for (const MediaAttachment& media : *disposable) {
    // A record whose files stay is kept, to be tried again.
    if (RemoveFiles(media)) gone.push_back(media.id);
  }
  if (Status st = store_.ForgetMedia(gone); !st) return std::move(st).error();
  return static_cast<int>(gone.size());
}

bool MediaService::RemoveFiles(const MediaAttachment& media) {
  bool removed = true;
  const MediaFileInfo source{media.file_key + "/" + kSourceFile, "", 0, 0, 0};
  for (const MediaFileInfo* file : {&media.original, &media.small, &media.thumbnail, &source}) {
    if (file->name.empty() || media.file_key.empty()) continue;
    if (Status st = storage_.Remove(file->name); !st) {
      std::fprintf(stderr, "chirpd: media %lld: %s\n", static_cast<long long>(media.id),
                   st.error().message.c_str());
      removed = false;
    }
  }
  return removed;
}

}  // namespace chirp
