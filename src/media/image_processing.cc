#include "media/image_processing.h"

#include <vips/vips.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <vector>

#include "media/blurhash.h"

namespace chirp {
namespace {

// The blurhash's thumbnail and components (as Mastodon makes them).
constexpr int kBlurhashSide = 32;
constexpr int kBlurhashComponentsX = 4;
constexpr int kBlurhashComponentsY = 4;
constexpr int kJpegQuality = 85;

// A VipsImage reference, released with it.
struct ImageUnref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using ImageRef = std::unique_ptr<VipsImage, ImageUnref>;

// What libvips said of its last failure (and forgets it).
std::string VipsFailure() {
  std::string message = vips_error_buffer();
  vips_error_clear();
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  return message;
}

// `message` for the client: what libvips said is left out of answers (it
// names the library's internals) and forgotten.
std::string DroppingVipsFailure(std::string message) {
  vips_error_clear();
  return message;
}

struct Loader {
  const char* type;  // the class vips_foreign_find_load_buffer names
  ImageFormat format;
};
constexpr Loader kLoaders[] = {
    {"VipsForeignLoadJpegBuffer", ImageFormat::kJpeg},
    {"VipsForeignLoadPngBuffer", ImageFormat::kPng},
    {"VipsForeignLoadNsgifBuffer", ImageFormat::kGif},
    {"VipsForeignLoadWebpBuffer", ImageFormat::kWebp},
    {"VipsForeignLoadHeifBuffer", ImageFormat::kHeif},
};

// The box of `width` x `height` pixels scaled down to fit within `area`
// (unchanged when it does).
std::pair<int, int> WithinArea(int width, int height, int64_t area) {
  const int64_t pixels = int64_t{width} * height;
  if (pixels <= area) return {width, height};
  const double scale = std::sqrt(static_cast<double>(area) / static_cast<double>(pixels));
  return {std::max(1, static_cast<int>(width * scale)),
          std::max(1, static_cast<int>(height * scale))};
}

// The upright image from `bytes`, shrunk on load to fit `width` x `height`
// (never enlarged), every frame but the first left out.
// With `crop`, shrunk to cover the box and cut to it around the centre.
Result<ImageRef> Thumbnail(std::string_view bytes, int width, int height, bool crop = false) {
  VipsImage* out = nullptr;
  // The loader fails on truncated or damaged data rather than decoding what
  // it can.
  if (vips_thumbnail_buffer(const_cast<char*>(bytes.data()), bytes.size(), &out, width, "height",
                            height, "size", VIPS_SIZE_DOWN, "crop",
                            crop ? VIPS_INTERESTING_CENTRE : VIPS_INTERESTING_NONE, "option_string",
                            "fail_on=truncated", nullptr) != 0) {
    return Error::Unprocessable(DroppingVipsFailure("The image could not be decoded"));
  }
  return ImageRef(out);
}

// `image` in sRGB: an embedded colour profile is applied (the colours stay
// as the profile meant them, within sRGB's gamut), since libvips 8.14
// writes either every metadata field or none, and none is what leaves: an
// image without a profile is read as sRGB by browsers.
Result<ImageRef> InSrgb(VipsImage* image) {
  VipsImage* out = nullptr;
  if (vips_image_get_typeof(image, VIPS_META_ICC_NAME) != 0) {
    if (vips_icc_transform(image, &out, "srgb", "embedded", TRUE, "intent", VIPS_INTENT_PERCEPTUAL,
                           nullptr) != 0) {
      return Error::Unprocessable(
          DroppingVipsFailure("The image's colour profile could not be applied"));
    }
    return ImageRef(out);
  }
  if (vips_colourspace(image, &out, VIPS_INTERPRETATION_sRGB, nullptr) != 0) {
    return Error::Unprocessable(DroppingVipsFailure("The image's colours could not be read"));
  }
  return ImageRef(out);
}

// The upright image from `bytes` fitted to `width` x `height` as Thumbnail
// does, in sRGB, decoded: the pipeline reads its source in order, and a
// version is read more than once (written, and for the blurhash). A damaged
// file fails here.
Result<ImageRef> Decoded(std::string_view bytes, int width, int height, bool crop) {
  auto upright = Thumbnail(bytes, width, height, crop);
  if (!upright) return std::move(upright).error();
  auto srgb = InSrgb(upright->get());
  if (!srgb) return std::move(srgb).error();
  ImageRef decoded(vips_image_copy_memory(srgb->get()));
  if (!decoded) return Error::Unprocessable(DroppingVipsFailure("The image could not be decoded"));
  return decoded;
}

// `image` written as `mime_type`, without any metadata (EXIF, XMP, IPTC,
// comments, profile).
Result<ImageFile> Save(VipsImage* image, const char* mime_type) {
  void* buffer = nullptr;
  size_t length = 0;
  int failed = 0;
  if (std::string_view(mime_type) == "image/png") {
    failed = vips_pngsave_buffer(image, &buffer, &length, "compression", 6, "strip", TRUE, nullptr);
  } else {
    failed = vips_jpegsave_buffer(image, &buffer, &length, "Q", kJpegQuality, "optimize_coding",
                                  TRUE, "interlace", TRUE, "strip", TRUE, nullptr);
  }
  if (failed != 0) return Error::Internal("cannot write the image: " + VipsFailure());
  ImageFile file;
  file.bytes.assign(static_cast<const char*>(buffer), length);
  g_free(buffer);
  file.mime_type = mime_type;
  file.width = vips_image_get_width(image);
  file.height = vips_image_get_height(image);
  return file;
}

// The format a version is written in: PNG where the image has
// transparency or came as PNG or GIF (drawings, screenshots), JPEG for the
// rest (photographs, HEIC and AVIF included, which browsers read unevenly;
// libvips 8.14 cannot write WebP without its metadata).
const char* OutputType(ImageFormat format, bool alpha) {
  if (alpha || format == ImageFormat::kPng || format == ImageFormat::kGif) return "image/png";
  return "image/jpeg";
}

// The blurhash of `image`: from a sRGB thumbnail of a few dozen pixels, its
// transparency laid over white.
Result<std::string> BlurhashOf(VipsImage* image) {
  VipsImage* small = nullptr;
  if (vips_thumbnail_image(image, &small, kBlurhashSide, "height", kBlurhashSide, nullptr) != 0) {
    return Error::Internal(VipsFailure());
  }
  ImageRef current(small);
  VipsImage* next = nullptr;
  if (vips_colourspace(current.get(), &next, VIPS_INTERPRETATION_sRGB, nullptr) != 0) {
    return Error::Internal(VipsFailure());
  }
  current.reset(next);
  if (vips_image_hasalpha(current.get())) {
    VipsArrayDouble* white = vips_array_double_newv(3, 255.0, 255.0, 255.0);
    const int failed = vips_flatten(current.get(), &next, "background", white, nullptr);
    vips_area_unref(VIPS_AREA(white));
    if (failed != 0) return Error::Internal(VipsFailure());
    current.reset(next);
  }
  if (vips_extract_band(current.get(), &next, 0, "n", 3, nullptr) != 0) {
    return Error::Internal(VipsFailure());
  }
  current.reset(next);
  if (vips_cast_uchar(current.get(), &next, nullptr) != 0) return Error::Internal(VipsFailure());
  current.reset(next);
  size_t size = 0;
  void* pixels = vips_image_write_to_memory(current.get(), &size);
  if (pixels == nullptr) return Error::Internal(VipsFailure());
  const int width = vips_image_get_width(current.get());
  const int height = vips_image_get_height(current.get());
  std::string hash;
  if (size == static_cast<size_t>(width) * static_cast<size_t>(height) * 3) {
    hash = EncodeBlurhash(static_cast<const uint8_t*>(pixels), width, height, kBlurhashComponentsX,
                          kBlurhashComponentsY);
  }
  g_free(pixels);
  if (hash.empty()) return Error::Internal("cannot make the image's blurhash");
  return hash;
}

}  // namespace

Status StartImageLibrary() {
  static std::once_flag once;
  static bool started = false;
  std::call_once(once, [] {
    if (vips_init("chirpd") != 0) return;
    // A damaged upload is answered with the error it gave; libvips's own
    // warnings about it would only fill the log.
    g_log_set_handler(
        "VIPS", static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE),
        [](const gchar*, GLogLevelFlags, const gchar*, gpointer) {}, nullptr);
    // Loaders that parse formats through large outside libraries
    // (ImageMagick, PDF, SVG, ...) are refused for the whole process; the
    // formats Chirp accepts are checked again on each upload.
    vips_block_untrusted_set(TRUE);
    // Every image is processed once: libvips's cache of operations would
    // only hold memory.
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    started = true;
  });
  if (!started) return Error::Internal("libvips could not start: " + VipsFailure());
  return {};
}

Result<ImageProbe> ProbeImage(std::string_view bytes, const ImageLimits& limits) {
  if (Status s = StartImageLibrary(); !s) return std::move(s).error();
  if (bytes.size() > limits.max_bytes) {
    return Error{ErrorCode::kPayloadTooLarge, "The file is too large", {}, {}};
  }
  if (bytes.empty()) return Error::Unprocessable("The file is empty");
  const char* loader = vips_foreign_find_load_buffer(bytes.data(), bytes.size());
  vips_error_clear();
  const Loader* found = nullptr;
  for (const Loader& l : kLoaders) {
    if (loader != nullptr && std::string_view(loader) == l.type) found = &l;
  }
  if (found == nullptr) {
    return Error::Unprocessable(
        "The file is not an image of a type Chirp accepts (JPEG, PNG, GIF, WebP, HEIC, AVIF)");
  }
  // Only the header is read here; pixels are decoded when asked for.
  VipsImage* header = vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "access",
                                                 VIPS_ACCESS_SEQUENTIAL, nullptr);
  if (header == nullptr) {
    return Error::Unprocessable(DroppingVipsFailure("The image could not be read"));
  }
  ImageRef image(header);
  ImageProbe probe;
  probe.format = found->format;
  probe.width = vips_image_get_width(image.get());
  probe.height = vips_image_get_page_height(image.get());
  probe.frames = std::max(1, vips_image_get_n_pages(image.get()));
  if (probe.width <= 0 || probe.height <= 0) return Error::Unprocessable("The image has no pixels");
  if (int64_t{probe.width} * probe.height > limits.max_pixels) {
    return Error::Unprocessable("The image has too many pixels (" + std::to_string(probe.width) +
                                " x " + std::to_string(probe.height) + ", at most " +
                                std::to_string(limits.max_pixels) + ")");
  }
  return probe;
}

Result<ProcessedImage> ProcessImage(std::string_view bytes, const ImageLimits& limits) {
  auto probe = ProbeImage(bytes, limits);
  if (!probe) return std::move(probe).error();
  // Boxes as the image stands upright: a quarter turn swaps its sides.
  ImageRef header(vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "access",
                                             VIPS_ACCESS_SEQUENTIAL, nullptr));
  if (!header) return Error::Unprocessable(DroppingVipsFailure("The image could not be read"));
  int width = probe->width;
  int height = probe->height;
  if (vips_image_get_orientation_swap(header.get())) std::swap(width, height);
  header.reset();

  ProcessedImage out;
  for (const bool small : {false, true}) {
    const auto [w, h] = WithinArea(width, height, small ? limits.small_area : limits.original_area);
    auto decoded = Decoded(bytes, w, h, false);
    if (!decoded) return std::move(decoded).error();
    auto saved =
        Save(decoded->get(), OutputType(probe->format, vips_image_hasalpha(decoded->get())));
    if (!saved) return std::move(saved).error();
    if (small) {
      out.small = std::move(saved).value();
      continue;
    }
    out.original = std::move(saved).value();
    auto hash = BlurhashOf(decoded->get());
    if (!hash) return std::move(hash).error();
    out.blurhash = std::move(hash).value();
  }
  return out;
}

Result<ImageFile> ProcessImageInBox(std::string_view bytes, const ImageLimits& limits,
                                    const ImageBox& box) {
  auto probe = ProbeImage(bytes, limits);
  if (!probe) return std::move(probe).error();
  auto decoded = Decoded(bytes, box.width, box.height, box.crop);
  if (!decoded) return std::move(decoded).error();
  return Save(decoded->get(), OutputType(probe->format, vips_image_hasalpha(decoded->get())));
}

Result<ImageFile> ProcessAnimationInBox(std::string_view bytes, const ImageLimits& limits,
                                        const ImageBox& box) {
  auto probe = ProbeImage(bytes, limits);
  if (!probe) return std::move(probe).error();
  if (int64_t{probe->width} * probe->height * probe->frames > limits.max_animation_pixels) {
    return Error::Unprocessable("The animation has too many frames or pixels to be kept moving");
  }
  // Shrunk to fit the box, or with `crop` to cover it (each frame is then
  // cut to it around its centre); never enlarged.
  const double by_width = static_cast<double>(box.width) / probe->width;
  const double by_height = static_cast<double>(box.height) / probe->height;
  const double scale =
      std::min(1.0, box.crop ? std::max(by_width, by_height) : std::min(by_width, by_height));
  const int fit_width = std::max(1, static_cast<int>(std::lround(probe->width * scale)));
  const int fit_height = std::max(1, static_cast<int>(std::lround(probe->height * scale)));
  VipsImage* out = nullptr;
  if (vips_thumbnail_buffer(const_cast<char*>(bytes.data()), bytes.size(), &out, fit_width,
                            "height", fit_height, "size", VIPS_SIZE_DOWN, "option_string",
                            "n=-1,fail_on=truncated", nullptr) != 0) {
    return Error::Unprocessable(DroppingVipsFailure("The image could not be decoded"));
  }
  ImageRef strip(out);  // the frames one above the other
  const int width = vips_image_get_width(strip.get());
  const int page_height = vips_image_get_page_height(strip.get());
  const int pages = vips_image_get_height(strip.get()) / std::max(1, page_height);
  if (box.crop && (width > box.width || page_height > box.height)) {
    const int crop_width = std::min(width, box.width);
    const int crop_height = std::min(page_height, box.height);
    std::vector<ImageRef> frames;
    std::vector<VipsImage*> parts;
    for (int i = 0; i < pages; ++i) {
      VipsImage* frame = nullptr;
      if (vips_extract_area(strip.get(), &frame, (width - crop_width) / 2,
                            i * page_height + (page_height - crop_height) / 2, crop_width,
                            crop_height, nullptr) != 0) {
        return Error::Internal("cannot cut the animation: " + VipsFailure());
      }
      frames.emplace_back(frame);
      parts.push_back(frame);
    }
    VipsImage* joined = nullptr;
    if (vips_arrayjoin(parts.data(), &joined, static_cast<int>(parts.size()), "across", 1,
                       nullptr) != 0) {
      return Error::Internal("cannot join the animation's frames: " + VipsFailure());
    }
    strip.reset(joined);
    VipsImage* paged = nullptr;
    if (vips_copy(strip.get(), &paged, nullptr) != 0) return Error::Internal(VipsFailure());
    strip.reset(paged);
    vips_image_set_int(strip.get(), VIPS_META_PAGE_HEIGHT, crop_height);
  }
  void* buffer = nullptr;
  size_t length = 0;
  if (vips_gifsave_buffer(strip.get(), &buffer, &length, "strip", TRUE, nullptr) != 0) {
    return Error::Unprocessable(DroppingVipsFailure("The animation could not be decoded"));
  }
  ImageFile file;
  file.bytes.assign(static_cast<const char*>(buffer), length);
  g_free(buffer);
  file.mime_type = "image/gif";
  file.width = vips_image_get_width(strip.get());
  file.height = vips_image_get_page_height(strip.get());
  return file;
}

}  // namespace chirp
