#include "store/records.h"

#include "store/media_rows.h"

namespace chirp {

std::string RedirectUrisToText(const std::vector<std::string>& uris) {
  std::string out;
  for (const auto& uri : uris) {
    if (!out.empty()) out += '\n';
    out += uri;
  }
  return out;
}

std::vector<std::string> RedirectUrisFromText(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string StillImageName(std::string_view name) {
  if (!name.ends_with(".gif")) return std::string(name);
  return std::string(name.substr(0, name.size() - 3)) + "png";
}

std::string_view MediaTypeName(MediaType type) {
  switch (type) {
    case MediaType::kImage:
      return "image";
    case MediaType::kGifv:
      return "gifv";
    case MediaType::kVideo:
      return "video";
    case MediaType::kAudio:
      return "audio";
    case MediaType::kUnknown:
      break;
  }
  return "unknown";
}

MediaType MediaTypeFromName(std::string_view name) {
  for (MediaType t : {MediaType::kImage, MediaType::kGifv, MediaType::kVideo, MediaType::kAudio}) {
    if (MediaTypeName(t) == name) return t;
  }
  return MediaType::kUnknown;
}

Error UnattachableMedia(int64_t media_id, bool pending) {
  if (pending) {
    return Error::Unprocessable(
        "Validation failed: Cannot attach files that have not finished processing. Try again in "
        "a moment!");
  }
  return Error::Unprocessable("Validation failed: media attachment " + std::to_string(media_id) +
                              " was not found or is already attached");
}

Status MixableMedia(const std::vector<MediaAttachment>& media) {
  if (media.size() < 2) return {};
  for (const MediaAttachment& m : media) {
    if (m.type != MediaType::kImage) {
      return Error::Unprocessable(
          "Validation failed: Cannot attach a video to a post that already contains images");
    }
  }
  return {};
}

}  // namespace chirp
