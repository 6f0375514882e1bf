#include "media/media_service.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <tuple>
#include <utility>
#include <vector>

#include "core/secrets.h"
#include "core/text.h"

namespace chirp {

namespace {

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
                           const Clock& clock, MediaLimits limits)
    : store_(store),
      storage_(storage),
      ids_(ids),
      clock_(clock),
      limits_(limits),
      processing_(std::max(1, limits.processing_slots)) {}

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
  // The header alone first: what is refused is refused before a slot is
  // taken or a pixel decoded.
  auto probe = Identify(upload.bytes, upload.declared_type);
  if (!probe) return std::move(probe).error();
  if (probe->frames > 1) {
    return Error::Unprocessable(
        "Validation failed: Animated images are not accepted yet; upload a still image");
  }
  Result<ProcessedImage> processed = [&] {
    processing_.acquire();
    auto out = ProcessImage(upload.bytes, limits_.image);
    processing_.release();
    return out;
  }();
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
                                                   const ProfileImageUpload& upload) {
  auto probe = Identify(upload.bytes, upload.declared_type);
  if (!probe) return std::move(probe).error();
  const bool avatar = kind == ProfileImageKind::kAvatar;
  const ImageBox box = avatar ? ImageBox{400, 400, true} : ImageBox{1500, 500, false};
  Result<ImageFile> image = [&] {
    processing_.acquire();
    auto out = ProcessImageInBox(upload.bytes, limits_.image, box);
    processing_.release();
    return out;
  }();
  if (!image) return std::move(image).error();
  const std::string name = RandomHex(16) + (avatar ? "/avatar." : "/header.") +
                           std::string(ExtensionOf(image->mime_type));
  if (Status st = storage_.Put(name, image->bytes); !st) return std::move(st).error();
  return name;
}

void MediaService::DiscardProfileImage(const std::string& name) {
  if (Status st = storage_.Remove(name); !st) {
    std::fprintf(stderr, "chirpd: profile image %s: %s\n", name.c_str(),
                 st.error().message.c_str());
  }
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
  if (Status st = store_.UpdateMedia(*media); !st) return std::move(st).error();
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
  for (const MediaFileInfo* file : {&media.original, &media.small}) {
    if (file->name.empty()) continue;
    if (Status st = storage_.Remove(file->name); !st) {
      std::fprintf(stderr, "chirpd: media %lld: %s\n", static_cast<long long>(media.id),
                   st.error().message.c_str());
      removed = false;
    }
  }
  return removed;
}

}  // namespace chirp
