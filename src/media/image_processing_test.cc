// Images made here with libvips itself: what comes out is decoded again
// and looked at (sizes, which way up, what metadata is left).
#include "media/image_processing.h"

#include <gtest/gtest.h>
#include <vips/vips.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace chirp {
namespace {

struct ImageUnref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using ImageRef = std::unique_ptr<VipsImage, ImageUnref>;

class ImageProcessingTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(StartImageLibrary().ok()); }

  // A sRGB image, red on its left half and blue on its right, with an
  // alpha band when `alpha`.
  static ImageRef Halves(int width, int height, bool alpha = false) {
    VipsImage* black = nullptr;
    EXPECT_EQ(vips_black(&black, width, height, "bands", alpha ? 4 : 3, nullptr), 0);
    std::vector<double> red = {255, 0, 0};
    std::vector<double> blue = {0, 0, 255};
    if (alpha) {
      red.push_back(255);
      blue.push_back(128);
    }
    EXPECT_EQ(vips_draw_rect(black, red.data(), static_cast<int>(red.size()), 0, 0, width / 2,
                             height, "fill", TRUE, nullptr),
              0);
    EXPECT_EQ(vips_draw_rect(black, blue.data(), static_cast<int>(blue.size()), width / 2, 0,
                             width - width / 2, height, "fill", TRUE, nullptr),
              0);
    VipsImage* srgb = nullptr;
    EXPECT_EQ(vips_copy(black, &srgb, "interpretation", VIPS_INTERPRETATION_sRGB, nullptr), 0);
    g_object_unref(black);
    return ImageRef(srgb);
  }

  static std::string Jpeg(VipsImage* image) {
    void* buffer = nullptr;
    size_t length = 0;
    EXPECT_EQ(vips_jpegsave_buffer(image, &buffer, &length, "Q", 90, nullptr), 0)
        << vips_error_buffer();
    std::string bytes(static_cast<const char*>(buffer), length);
    g_free(buffer);
    return bytes;
  }

  static std::string Png(VipsImage* image) {
    void* buffer = nullptr;
    size_t length = 0;
    EXPECT_EQ(vips_pngsave_buffer(image, &buffer, &length, nullptr), 0) << vips_error_buffer();
    std::string bytes(static_cast<const char*>(buffer), length);
    g_free(buffer);
    return bytes;
  }

  static ImageRef Load(const std::string& bytes) {
    return ImageRef(vips_image_new_from_buffer(bytes.data(), bytes.size(), "", nullptr));
  }

  // The pixel at (x, y) of `bytes`, decoded.
  static std::array<double, 3> Pixel(const std::string& bytes, int x, int y) {
    ImageRef image = Load(bytes);
    double* values = nullptr;
    int n = 0;
    EXPECT_EQ(vips_getpoint(image.get(), &values, &n, x, y, nullptr), 0);
    std::array<double, 3> out{values[0], values[1], values[2]};
    g_free(values);
    return out;
  }

  static bool HasField(const std::string& bytes, const char* name) {
    ImageRef image = Load(bytes);
    return vips_image_get_typeof(image.get(), name) != 0;
  }

  // Every metadata field of `bytes` that is not an image property.
  static std::vector<std::string> Fields(const std::string& bytes) {
    ImageRef image = Load(bytes);
    std::vector<std::string> out;
    gchar** fields = vips_image_get_fields(image.get());
    for (gchar** f = fields; *f != nullptr; ++f) out.emplace_back(*f);
    g_strfreev(fields);
    return out;
  }
};

TEST_F(ImageProcessingTest, AJpegIsTurnedUprightByItsOrientationAndLosesItsExif) {
  ImageRef image = Halves(600, 400);
  // Shown turned a quarter clockwise; a position and a camera owner that
  // must not leave the server.
  vips_image_set_int(image.get(), VIPS_META_ORIENTATION, 6);
  vips_image_set_string(image.get(), "exif-ifd0-Artist", "A Person");
  vips_image_set_string(image.get(), "exif-ifd3-GPSLatitudeRef", "N");
  const std::string upload = Jpeg(image.get());
  ASSERT_TRUE(HasField(upload, "exif-data"));
  ASSERT_TRUE(HasField(upload, "exif-ifd0-Artist")) << "the upload carries the name";
  ASSERT_TRUE(HasField(upload, "exif-ifd3-GPSLatitudeRef")) << "and a GPS field";

  auto processed = ProcessImage(upload, {});
  ASSERT_TRUE(processed.ok()) << processed.error().message;
  const ImageFile& original = processed->original;
  EXPECT_EQ(original.mime_type, "image/jpeg");
  EXPECT_EQ(original.width, 400);
  EXPECT_EQ(original.height, 600);
  // Red was on the left; a quarter turn clockwise puts it on top.
  const auto top = Pixel(original.bytes, 200, 50);
  const auto bottom = Pixel(original.bytes, 200, 550);
  EXPECT_GT(top[0], 200);
  EXPECT_LT(top[2], 60);
  EXPECT_GT(bottom[2], 200);
  for (const std::string& field : Fields(original.bytes)) {
    EXPECT_FALSE(field.starts_with("exif") || field == "xmp-data" || field == "iptc-data" ||
                 field == VIPS_META_ORIENTATION || field == VIPS_META_ICC_NAME)
        << "left in the original: " << field;
  }
  for (const std::string& field : Fields(processed->small.bytes)) {
    EXPECT_FALSE(field.starts_with("exif")) << "left in the preview: " << field;
  }
  EXPECT_EQ(processed->blurhash.size(), 36u);
}

TEST_F(ImageProcessingTest, AColourProfileIsAppliedAndNotKept) {
  ImageRef image = Halves(64, 64);
  VipsImage* tagged = nullptr;
  // The same colours in a wider space (Display P3), its profile attached.
  ASSERT_EQ(vips_icc_transform(image.get(), &tagged, "p3", "input_profile", "srgb", nullptr), 0)
      << vips_error_buffer();
  ImageRef with_profile(tagged);
  const std::string upload = Jpeg(with_profile.get());
  ASSERT_TRUE(HasField(upload, VIPS_META_ICC_NAME));
  auto processed = ProcessImage(upload, {});
  ASSERT_TRUE(processed.ok()) << processed.error().message;
  EXPECT_FALSE(HasField(processed->original.bytes, VIPS_META_ICC_NAME));
  // Red in P3 read without its profile would be a duller red; applied, it
  // is sRGB's red again.
  const auto red = Pixel(processed->original.bytes, 10, 32);
  EXPECT_GT(red[0], 235);
  EXPECT_LT(red[1], 30);
  EXPECT_LT(red[2], 30);
}

TEST_F(ImageProcessingTest, ALargePhotoIsKeptWithinItsAreaAndPreviewedWithinTheSmallOne) {
  ImageRef image = Halves(4000, 3000);
  auto processed = ProcessImage(Jpeg(image.get()), {});
  ASSERT_TRUE(processed.ok()) << processed.error().message;
  const ImageFile& original = processed->original;
  EXPECT_LE(int64_t{original.width} * original.height, 3840 * 2160);
  EXPECT_GE(int64_t{original.width} * original.height, 3840 * 2160 * 95 / 100);
  EXPECT_NEAR(static_cast<double>(original.width) / original.height, 4.0 / 3.0, 0.01);
  const ImageFile& small = processed->small;
  EXPECT_LE(int64_t{small.width} * small.height, 640 * 360);
  EXPECT_NEAR(static_cast<double>(small.width) / small.height, 4.0 / 3.0, 0.02);
  // What the fields say is what the files hold.
  ImageRef decoded = Load(small.bytes);
  EXPECT_EQ(vips_image_get_width(decoded.get()), small.width);
  EXPECT_EQ(vips_image_get_height(decoded.get()), small.height);
}

TEST_F(ImageProcessingTest, APngKeepsItsTransparency) {
  ImageRef image = Halves(300, 200, /*alpha=*/true);
  auto processed = ProcessImage(Png(image.get()), {});
  ASSERT_TRUE(processed.ok()) << processed.error().message;
  EXPECT_EQ(processed->original.mime_type, "image/png");
  EXPECT_EQ(processed->small.mime_type, "image/png");
  ImageRef decoded = Load(processed->original.bytes);
  EXPECT_TRUE(vips_image_hasalpha(decoded.get()));
  EXPECT_EQ(processed->original.width, 300);
}

TEST_F(ImageProcessingTest, GifAndWebpBecomePngAndJpeg) {
  ImageRef image = Halves(120, 80);
  void* buffer = nullptr;
  size_t length = 0;
  ASSERT_EQ(vips_gifsave_buffer(image.get(), &buffer, &length, nullptr), 0) << vips_error_buffer();
  const std::string gif(static_cast<const char*>(buffer), length);
  g_free(buffer);
  auto probe = ProbeImage(gif, {});
  ASSERT_TRUE(probe.ok()) << probe.error().message;
  EXPECT_EQ(probe->format, ImageFormat::kGif);
  EXPECT_EQ(probe->frames, 1);
  auto from_gif = ProcessImage(gif, {});
  ASSERT_TRUE(from_gif.ok()) << from_gif.error().message;
  EXPECT_EQ(from_gif->original.mime_type, "image/png");
  EXPECT_EQ(from_gif->original.width, 120);

  ASSERT_EQ(vips_webpsave_buffer(image.get(), &buffer, &length, nullptr), 0) << vips_error_buffer();
  const std::string webp(static_cast<const char*>(buffer), length);
  g_free(buffer);
  auto from_webp = ProcessImage(webp, {});
  ASSERT_TRUE(from_webp.ok()) << from_webp.error().message;
  EXPECT_EQ(from_webp->original.mime_type, "image/jpeg");
  EXPECT_EQ(from_webp->small.mime_type, "image/jpeg");
}

TEST_F(ImageProcessingTest, AnAnimationIsFittedOrCutFrameByFrameAndStaysAnimated) {
  // Six frames of 300 x 100, one above the other, each 50 ms.
  ImageRef strip = Halves(300, 600);
  VipsImage* paged = nullptr;
  ASSERT_EQ(vips_copy(strip.get(), &paged, nullptr), 0);
  ImageRef animation(paged);
  vips_image_set_int(animation.get(), VIPS_META_PAGE_HEIGHT, 100);
  std::vector<int> delays(6, 50);
  vips_image_set_array_int(animation.get(), "delay", delays.data(), 6);
  void* buffer = nullptr;
  size_t length = 0;
  ASSERT_EQ(vips_gifsave_buffer(animation.get(), &buffer, &length, nullptr), 0)
      << vips_error_buffer();
  const std::string gif(static_cast<const char*>(buffer), length);
  g_free(buffer);
  ASSERT_EQ(ProbeImage(gif, {})->frames, 6);

  const auto pages = [](const std::string& bytes) {
    ImageRef image(vips_image_new_from_buffer(bytes.data(), bytes.size(), "n=-1", nullptr));
    return std::pair{vips_image_get_n_pages(image.get()), vips_image_get_page_height(image.get())};
  };
  auto fitted = ProcessAnimationInBox(gif, {}, {150, 150, false});
  ASSERT_TRUE(fitted.ok()) << fitted.error().message;
  EXPECT_EQ(fitted->mime_type, "image/gif");
  EXPECT_EQ(fitted->width, 150);
  EXPECT_EQ(fitted->height, 50);
  EXPECT_EQ(pages(fitted->bytes), (std::pair{6, 50}));

  auto cut = ProcessAnimationInBox(gif, {}, {40, 40, true});
  ASSERT_TRUE(cut.ok()) << cut.error().message;
  EXPECT_EQ(cut->width, 40);
  EXPECT_EQ(cut->height, 40);
  EXPECT_EQ(pages(cut->bytes), (std::pair{6, 40}));
  // Cut around the centre of each frame: red on the left, blue on the right.
  EXPECT_GT(Pixel(cut->bytes, 2, 20)[0], 200);
  EXPECT_GT(Pixel(cut->bytes, 37, 20)[2], 200);

  ImageLimits small;
  small.max_animation_pixels = 300 * 100 * 5;
  EXPECT_EQ(ProcessAnimationInBox(gif, small, {40, 40, true}).error().code,
            ErrorCode::kUnprocessable);
}

// The CRC-32 of PNG chunks.
uint32_t Crc32(const std::string& bytes) {
  uint32_t crc = 0xFFFFFFFF;
  for (unsigned char c : bytes) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320 & (0 - (crc & 1)));
  }
  return ~crc;
}

std::string BigEndian(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// A PNG whose header declares `width` x `height` pixels, with one small
// chunk of data after it.
std::string DeclaredPng(uint32_t width, uint32_t height) {
  std::string out = "\x89PNG\r\n\x1a\n";
  const std::string ihdr =
      "IHDR" + BigEndian(width) + BigEndian(height) + std::string("\x08\x02\0\0\0", 5);
  out += BigEndian(13) + ihdr + BigEndian(Crc32(ihdr));
  const std::string idat = "IDAT" + std::string("\x78\x9c\x03\x00\x00\x00\x00\x01", 8);
  out += BigEndian(8) + idat + BigEndian(Crc32(idat));
  const std::string iend = "IEND";
  out += BigEndian(0) + iend + BigEndian(Crc32(iend));
  return out;
}

TEST_F(ImageProcessingTest, ADecompressionBombIsRefusedFromItsHeader) {
  const std::string bomb = DeclaredPng(100000, 100000);
  auto probe = ProbeImage(bomb, {});
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.error().code, ErrorCode::kUnprocessable);
  EXPECT_NE(probe.error().message.find("too many pixels"), std::string::npos)
      << probe.error().message;
  EXPECT_FALSE(ProcessImage(bomb, {}).ok());
}

TEST_F(ImageProcessingTest, WhatIsNotAnAcceptedImageIsRefused) {
  const std::string svg =
      "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" "
      "height=\"10\"><rect width=\"10\" height=\"10\"/></svg>";
  const std::string pdf = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
  for (const std::string& bytes : {svg, pdf, std::string("hello, world"), std::string()}) {
    auto processed = ProcessImage(bytes, {});
    ASSERT_FALSE(processed.ok()) << bytes;
    EXPECT_EQ(processed.error().code, ErrorCode::kUnprocessable) << bytes;
  }
}

TEST_F(ImageProcessingTest, ATruncatedJpegIsRefused) {
  ImageRef image = Halves(400, 300);
  std::string jpeg = Jpeg(image.get());
  jpeg.resize(jpeg.size() / 2);
  auto processed = ProcessImage(jpeg, {});
  ASSERT_FALSE(processed.ok());
  EXPECT_EQ(processed.error().code, ErrorCode::kUnprocessable) << processed.error().message;
}

TEST_F(ImageProcessingTest, TooManyBytesAreRefusedBeforeReading) {
  ImageRef image = Halves(64, 64);
  auto processed = ProcessImage(Jpeg(image.get()), {.max_bytes = 100});
  ASSERT_FALSE(processed.ok());
  EXPECT_EQ(processed.error().code, ErrorCode::kPayloadTooLarge);
}

}  // namespace
}  // namespace chirp
