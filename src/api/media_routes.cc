// Uploads (/api/v1/media, /api/v2/media) and the files they keep, served
// under /media/<key>/<version>.<ext> with the headers a cache and a video
// player need: ETag, immutable caching, byte ranges.
#include <algorithm>
#include <boost/json/object.hpp>

#include "api/routes.h"
#include "core/text.h"
#include "http/byte_range.h"
#include "mastodon/entities.h"
#include "media/media_service.h"
#include "media/media_storage.h"

namespace chirp {

namespace {

// Room for a form's other fields and its framing beside the file.
constexpr size_t kFormOverhead = 64 * 1024;

// Reads the optional `description` and `focus` an upload and a change take.
Status ReadDescriptionAndFocus(const Params& params, std::optional<std::string>* description,
                               std::optional<std::string>* focus) {
  for (auto [key, target] : {std::pair{"description", description}, {"focus", focus}}) {
    auto value = params.String(key);
    if (!value) return std::move(value).error();
    *target = std::move(value).value();
  }
  return {};
}

// The form's file part `field`, if it has one.
std::optional<UploadedImage> FilePart(const ApiRequest& req, std::string_view field) {
  for (const UploadedFile& f : req.params.files()) {
    if (f.field == field) return UploadedImage{f.data, TrimAscii(f.content_type)};
  }
  return std::nullopt;
}

// POST /api/v2/media answers 202 while video is processed in the
// background; the older /api/v1/media waits for it (`synchronous`).
Result<HttpResponse> Upload(const MediaRouteParts& ctx, ApiRequest& req, bool synchronous) {
  const auto file = FilePart(req, "file");
  if (!file) return Error::Unprocessable("Validation failed: File can't be blank");
  MediaUpload upload{.account_id = req.account_id(),
                     .bytes = file->bytes,
                     .declared_type = file->declared_type,
                     .thumbnail = FilePart(req, "thumbnail"),
                     .synchronous = synchronous};
  if (Status st = ReadDescriptionAndFocus(req.params, &upload.description, &upload.focus); !st) {
    return std::move(st).error();
  }
  auto media = ctx.media.Upload(upload);
  if (!media) return std::move(media).error();
  if (media->state == MediaState::kFailed) {
    return Error::Unprocessable(media->failure.empty() ? "Processing failed" : media->failure);
  }
  const int status = media->state == MediaState::kProcessing ? 202 : 200;
  return JsonBody(status, MediaAttachmentJson(*media, req.base_url));
}

Result<int64_t> MediaId(const ApiRequest& req) {
  const auto id = ParseId(req.path.Get("id"));
  if (!id) return Error::NotFound();
  return *id;
}

Result<HttpResponse> ShowMedia(const MediaRouteParts& ctx, ApiRequest& req) {
  auto id = MediaId(req);
  if (!id) return std::move(id).error();
  auto media = ctx.media.Find(req.account_id(), *id);
  if (!media) return std::move(media).error();
  switch (media->state) {
    case MediaState::kProcessing:
      return JsonBody(206, MediaAttachmentJson(*media, req.base_url));
    case MediaState::kFailed:
      return Error::Unprocessable(media->failure.empty() ? "Processing failed" : media->failure);
    case MediaState::kReady:
      break;
  }
  return JsonBody(200, MediaAttachmentJson(*media, req.base_url));
}

Result<HttpResponse> UpdateMedia(const MediaRouteParts& ctx, ApiRequest& req) {
  auto id = MediaId(req);
  if (!id) return std::move(id).error();
  MediaChange change{.thumbnail = FilePart(req, "thumbnail")};
  if (Status st = ReadDescriptionAndFocus(req.params, &change.description, &change.focus); !st) {
    return std::move(st).error();
  }
  auto media = ctx.media.Update(req.account_id(), *id, change);
  if (!media) return std::move(media).error();
  // As GET: 206 while it is processed.
  return JsonBody(media->state == MediaState::kProcessing ? 206 : 200,
                  MediaAttachmentJson(*media, req.base_url));
}

Result<HttpResponse> DeleteMedia(const MediaRouteParts& ctx, ApiRequest& req) {
  auto id = MediaId(req);
  if (!id) return std::move(id).error();
  if (Status st = ctx.media.Delete(req.account_id(), *id); !st) return std::move(st).error();
  return JsonBody(200, boost::json::object());
}

std::string_view MimeTypeOfFile(std::string_view name) {
  const std::string_view ext = name.substr(name.rfind('.') + 1);
  if (ext == "jpg") return "image/jpeg";
  if (ext == "png") return "image/png";
  if (ext == "gif") return "image/gif";
  if (ext == "webp") return "image/webp";
  if (ext == "mp4") return "video/mp4";
  if (ext == "mp3") return "audio/mpeg";
  if (ext == "ogg") return "audio/ogg";
  return "application/octet-stream";
}

HttpResponse FileError(int status, std::string_view message) {
  HttpResponse r =
      ErrorResponse(status == 404 ? Error::NotFound() : Error::Unavailable(std::string(message)));
  r.AddHeader("X-Content-Type-Options", "nosniff");
  return r;
}

// GET and HEAD of an upload's file. A file never changes once written (a
// new upload gets a new key), so its name is its validator.
HttpResponse ServeFile(const MediaRouteParts& ctx, HttpRequest& request, const PathParams& path) {
  const std::string name = std::string(path.Get("key")) + "/" + std::string(path.Get("file"));
  if (!IsMediaFileName(name)) return FileError(404, "");
  auto file = ctx.storage.Open(name);
  if (!file) {
    if (file.error().code == ErrorCode::kNotFound) return FileError(404, "");
    return FileError(503, file.error().message);
  }
  const uint64_t size = (*file)->size();
  const std::string etag = "\"" + std::string(path.Get("key")) + "-" +
                           std::string(path.Get("file").substr(0, path.Get("file").find('.'))) +
                           "\"";
  HttpResponse r;
  r.content_type = std::string(MimeTypeOfFile(name));
  r.AddHeader("ETag", etag);
  r.AddHeader("Cache-Control", "public, max-age=31536000, immutable");
  r.AddHeader("Accept-Ranges", "bytes");
  r.AddHeader("X-Content-Type-Options", "nosniff");
  r.AddHeader("Content-Security-Policy", "default-src 'none'");
  const std::string_view if_none_match = request.Header("if-none-match");
  if (!if_none_match.empty() &&
      (TrimAscii(if_none_match) == "*" || HeaderListsToken(if_none_match, etag))) {
    r.status = 304;
    return r;
  }
  ByteRange range;
  const std::string_view if_range = TrimAscii(request.Header("if-range"));
  if (if_range.empty() || if_range == etag) {
    range = ParseByteRange(request.Header("range"), size);
  }
  FileBody body{.fd = (*file)->fd(), .offset = 0, .length = size, .keep = *file};
  switch (range.kind) {
    case ByteRange::Kind::kWhole:
      break;
    case ByteRange::Kind::kPart:
      r.status = 206;
      body.offset = range.first;
      body.length = range.last - range.first + 1;
      r.AddHeader("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                       std::to_string(range.last) + "/" + std::to_string(size));
      break;
    case ByteRange::Kind::kUnsatisfiable:
      r.status = 416;
      r.AddHeader("Content-Range", "bytes */" + std::to_string(size));
      return r;
  }
  r.file = std::move(body);
  return r;
}

}  // namespace

void AddMediaRoutes(ApiRoutes& routes, Router& router, const MediaRouteParts& ctx) {
  const MediaLimits& limits = ctx.media.limits();
  // A file and its thumbnail.
  const size_t upload_limit =
      std::max(limits.image.max_bytes, static_cast<size_t>(limits.video.max_bytes)) +
      limits.image.max_bytes + kFormOverhead;
  for (auto [pattern, synchronous] :
       {std::pair{"/api/v2/media", false}, std::pair{"/api/v1/media", true}}) {
    routes.Add({.method = "POST",
                .pattern = pattern,
                .auth = AuthRequirement::kUser,
                .scopes = "write:media",
                .limit = LimitClass::kMedia,
                .upload_body_limit = upload_limit},
               [ctx, synchronous](ApiRequest& r) { return Upload(ctx, r, synchronous); });
  }
  routes.Add({.method = "GET",
              .pattern = "/api/v1/media/:id",
              .auth = AuthRequirement::kUser,
              .scopes = "write:media"},
             [ctx](ApiRequest& r) { return ShowMedia(ctx, r); });
  routes.Add({.method = "PUT",
              .pattern = "/api/v1/media/:id",
              .auth = AuthRequirement::kUser,
              .scopes = "write:media",
              .upload_body_limit = limits.image.max_bytes + kFormOverhead},
             [ctx](ApiRequest& r) { return UpdateMedia(ctx, r); });
  routes.Add({.method = "DELETE",
              .pattern = "/api/v1/media/:id",
              .auth = AuthRequirement::kUser,
              .scopes = "write:media"},
             [ctx](ApiRequest& r) { return DeleteMedia(ctx, r); });
  router.Add({.method = "GET",
              .pattern = "/media/:key/:file",
              .handler = [ctx](HttpRequest& request, const PathParams& path) {
                return ServeFile(ctx, request, path);
              }});
}

}  // namespace chirp
