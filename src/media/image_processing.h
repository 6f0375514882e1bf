// Still images as Chirp keeps them, through libvips (Debian's): an upload
// is identified by its bytes (JPEG, PNG, GIF, WebP, HEIC/AVIF; every other
// format refused, and libvips's untrusted loaders, such as ImageMagick, PDF
// and SVG, blocked for the process), its header read alone to refuse a
// decompression bomb before any pixel is decoded, then an original kept
// within an area and a preview made within a smaller one, both decoded
// shrunk where the format allows (JPEG, WebP), turned upright by their EXIF
// orientation, their colour profile applied (converted to sRGB), and written
// without any metadata at all (GPS position, camera, comments, profile all
// gone), as JPEG, or PNG for drawings and transparency. A blurhash
// (media/blurhash.h) is made from a thumbnail of a few dozen pixels.
//
// libvips is heavy to include: it stays inside image_processing.cc.
// Thread-safe: images may be processed on any number of threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace chirp {

// What an upload's bytes say of it before it is decoded.
enum class ImageFormat { kJpeg, kPng, kGif, kWebp, kHeif };

struct ImageProbe {
  ImageFormat format = ImageFormat::kJpeg;
  int width = 0;   // as stored (before its EXIF orientation turns it)
  int height = 0;  // of one frame
  int frames = 1;  // above 1: animated (GIF, WebP)
};

struct ImageLimits {
  size_t max_bytes = 16 << 20;
  int64_t max_pixels = 7680 * 4320;     // of a frame, by the header
  int64_t original_area = 3840 * 2160;  // the original is kept within it
  int64_t small_area = 640 * 360;       // the preview
  // An animated avatar or header stays animated while its frames hold at
  // most this many pixels together (decoding them all takes about a second
  // per 25 million); a larger one is kept still.
  int64_t max_animation_pixels = 40'000'000;
};

// One version of a processed image.
struct ImageFile {
  std::string bytes;
  std::string mime_type;  // image/jpeg or image/png
  int width = 0;
  int height = 0;
};

struct ProcessedImage {
  ImageFile original;
  ImageFile small;
  std::string blurhash;
};

// Starts libvips for the process with only the loaders above. Idempotent
// and thread-safe; kInternal when libvips cannot start.
Status StartImageLibrary();

// Identifies `bytes` and reads their header: kUnprocessable when they are
// not an image of an accepted format, when the header cannot be read, or
// when a frame declares more than limits.max_pixels; kPayloadTooLarge
// beyond limits.max_bytes.
Result<ImageProbe> ProbeImage(std::string_view bytes, const ImageLimits& limits);

// Probes, then makes the original, the preview and the blurhash of a
// still image (the first frame of an animated one). kUnprocessable when
// the pixels cannot be decoded (a truncated file included).
Result<ProcessedImage> ProcessImage(std::string_view bytes, const ImageLimits& limits);

// Where a single version of an image must fit (an account's avatar or
// header): shrunk to fit the box, never enlarged, or with `crop` shrunk to
// cover it and cut to it around the centre.
struct ImageBox {
  int width = 0;
  int height = 0;
  bool crop = false;
};

// One still version of an image (the first frame of an animated one) fitted
// to `box`, upright, without metadata, as ProcessImage writes them.
Result<ImageFile> ProcessImageInBox(std::string_view bytes, const ImageLimits& limits,
                                    const ImageBox& box);

// An animated image (ImageProbe::frames above 1) fitted to `box` as
// ProcessImageInBox fits its first frame, each frame, as an animated GIF
// without metadata. kUnprocessable as ProcessImage, and when its frames
// hold more than limits.max_animation_pixels together.
Result<ImageFile> ProcessAnimationInBox(std::string_view bytes, const ImageLimits& limits,
                                        const ImageBox& box);

}  // namespace chirp
