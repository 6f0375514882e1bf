// Uploads kept for real: JPEGs made with libvips, a SQLite store and a
// media directory in a temporary directory.
#include "media/media_service.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <vips/vips.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/sqlite/temp_store.h"

namespace chirp {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kHour = 3600 * 1000;

// A JPEG of `width` × `height` pixels, a gradient.
std::string MakeJpeg(int width, int height) {
  VipsImage* gradient = nullptr;
  EXPECT_EQ(vips_xyz(&gradient, width, height, nullptr), 0);
  VipsImage* bytes = nullptr;
  EXPECT_EQ(vips_cast_uchar(gradient, &bytes, nullptr), 0);
  void* buffer = nullptr;
  size_t length = 0;
  EXPECT_EQ(vips_jpegsave_buffer(bytes, &buffer, &length, nullptr), 0) << vips_error_buffer();
  std::string out(static_cast<const char*>(buffer), length);
  g_free(buffer);
  g_object_unref(bytes);
  g_object_unref(gradient);
  return out;
}

// A second of silence as a WAV file: 8 kHz, 8 bits, one channel.
std::string MakeWav() {
  const auto le32 = [](uint32_t v) {
    return std::string{static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 24)};
  };
  const auto le16 = [](uint16_t v) {
    return std::string{static_cast<char>(v), static_cast<char>(v >> 8)};
  };
  const uint32_t samples = 8000;
  return "RIFF" + le32(36 + samples) + "WAVE" + "fmt " + le32(16) + le16(1) + le16(1) + le32(8000) +
         le32(8000) + le16(1) + le16(8) + "data" + le32(samples) + std::string(samples, '\x80');
}

class MediaServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(StartImageLibrary().ok());
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    temp_ = std::make_unique<TempStore>("media-" + name, 2);
    ASSERT_TRUE(temp_->ok()) << temp_->error();
    dir_ = fs::temp_directory_path() /
           ("chirp-media-files-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    auto storage = LocalMediaStorage::Create(dir_.string());
    ASSERT_TRUE(storage.ok());
    storage_ = std::move(storage).value();
    service_ = std::make_unique<MediaService>(temp_->store(), *storage_, ids_, clock_,
                                              MediaLimits{}, (dir_ / ".work").string());
    ASSERT_TRUE(service_->Start().ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  // How many files the media directory holds.
  int Files() const {
    int n = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir_)) n += entry.is_regular_file();
    return n;
  }

  Result<MediaAttachment> Upload(int64_t account, const std::string& bytes,
                                 std::string_view declared = "image/jpeg") {
    return service_->Upload({.account_id = account, .bytes = bytes, .declared_type = declared});
  }

  ManualClock clock_{1'700'000'000'000};
  SnowflakeGenerator ids_{clock_, 1};
  std::unique_ptr<TempStore> temp_;
  fs::path dir_;
  std::unique_ptr<LocalMediaStorage> storage_;
  std::unique_ptr<MediaService> service_;
};

TEST_F(MediaServiceTest, AnImageIsKeptAsAnOriginalAndAPreviewWithItsRecord) {
  auto media = Upload(1, MakeJpeg(1600, 900));
  ASSERT_TRUE(media.ok()) << media.error().message;
  EXPECT_EQ(media->type, MediaType::kImage);
  EXPECT_EQ(media->state, MediaState::kReady);
  EXPECT_EQ(media->file_key.size(), 32u);
  EXPECT_EQ(media->original.width, 1600);
  EXPECT_EQ(media->small.width, 640);
  EXPECT_EQ(media->small.height, 360);
  EXPECT_FALSE(media->blurhash.empty());
  auto original = storage_->Open(media->original.name);
  ASSERT_TRUE(original.ok());
  EXPECT_EQ(static_cast<int64_t>((*original)->size()), media->original.bytes);
  EXPECT_TRUE(storage_->Open(media->small.name).ok());
  EXPECT_EQ(Files(), 2);
  auto found = service_->Find(1, media->id);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->original.name, media->original.name);
  EXPECT_EQ(found->blurhash, media->blurhash);
}

TEST_F(MediaServiceTest, WhatIsNotAnAcceptedImageIsRefusedAndLeavesNothing) {
  const std::string jpeg = MakeJpeg(64, 64);
  EXPECT_EQ(Upload(1, jpeg, "image/png").error().code, ErrorCode::kUnprocessable);  // mismatch
  EXPECT_EQ(Upload(1, "").error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(Upload(1, jpeg.substr(0, jpeg.size() / 2)).error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(Upload(1, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "image/svg+xml").error().code,
            ErrorCode::kUnprocessable);
  EXPECT_EQ(Upload(1, "%PDF-1.4\n%%EOF\n", "application/pdf").error().code,
            ErrorCode::kUnprocessable);
  EXPECT_EQ(Files(), 0);
  // A client that does not know the type may leave it generic.
  EXPECT_TRUE(Upload(1, jpeg, "application/octet-stream").ok());
}

TEST_F(MediaServiceTest, DescriptionAndFocusAreCheckedBeforeAnythingIsKept) {
  const std::string jpeg = MakeJpeg(64, 64);
  MediaUpload upload{.account_id = 1, .bytes = jpeg, .description = std::string(1501, 'a')};
  EXPECT_EQ(service_->Upload(upload).error().code, ErrorCode::kUnprocessable);
  upload.description = std::string(1500, 'a');
  for (const char* focus : {"2,0", "0", "x,y", "0.5,-1.5", "nan,0", "1,"}) {
    upload.focus = focus;
    EXPECT_EQ(service_->Upload(upload).error().code, ErrorCode::kUnprocessable) << focus;
  }
  EXPECT_EQ(Files(), 0);
  upload.focus = "0.5,-0.25";
  auto media = service_->Upload(upload);
  ASSERT_TRUE(media.ok());
  EXPECT_DOUBLE_EQ(media->focus_x, 0.5);
  EXPECT_DOUBLE_EQ(media->focus_y, -0.25);
  auto changed = service_->Update(1, media->id, {.description = "a gradient", .focus = "0,1"});
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(service_->Find(1, media->id)->description, "a gradient");
  EXPECT_DOUBLE_EQ(service_->Find(1, media->id)->focus_y, 1);
  EXPECT_EQ(service_->Update(1, media->id, {.focus = "0,2"}).error().code,
            ErrorCode::kUnprocessable);
}

TEST_F(MediaServiceTest, OnlyItsOwnerSeesChangesOrDeletesAnUpload) {
  auto media = Upload(1, MakeJpeg(64, 64));
  ASSERT_TRUE(media.ok());
  EXPECT_EQ(service_->Find(2, media->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Update(2, media->id, {.description = "mine"}).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(service_->Delete(2, media->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Files(), 2);
  EXPECT_TRUE(service_->Delete(1, media->id).ok());
  EXPECT_EQ(Files(), 0);
  EXPECT_EQ(service_->Find(1, media->id).error().code, ErrorCode::kNotFound);
}

TEST_F(MediaServiceTest, AnAttachedUploadIsNotDeletedButGoesWithItsStatus) {
  auto media = Upload(1, MakeJpeg(64, 64));
  ASSERT_TRUE(media.ok());
  StatusRecord status;
  status.id = 10;
  status.account_id = 1;
  status.media_ids = {media->id};
  status.created_at_ms = clock_.NowMillis();
  ASSERT_TRUE(temp_->store().CreateStatus(status, "", 0).ok());
  EXPECT_EQ(service_->Delete(1, media->id).error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(*service_->RemoveDisposable(10), 0);
  ASSERT_TRUE(temp_->store().DeleteStatus(10, clock_.NowMillis()).ok());
  clock_.Advance(1);
  EXPECT_EQ(*service_->RemoveDisposable(10), 1);
  EXPECT_EQ(Files(), 0);
  EXPECT_EQ(service_->Find(1, media->id).error().code, ErrorCode::kNotFound);
}

TEST_F(MediaServiceTest, UploadsNeverAttachedGoAfterADay) {
  auto media = Upload(1, MakeJpeg(64, 64));
  ASSERT_TRUE(media.ok());
  clock_.Advance(23 * kHour);
  EXPECT_EQ(*service_->RemoveDisposable(10), 0);
  EXPECT_EQ(Files(), 2);
  clock_.Advance(2 * kHour);
  EXPECT_EQ(*service_->RemoveDisposable(10), 1);
  EXPECT_EQ(Files(), 0);
}

TEST_F(MediaServiceTest, AnAvatarIsCroppedToASquareAndAHeaderFitsItsBox) {
  const std::string wide = MakeJpeg(1600, 900);
  auto avatar = service_->KeepProfileImage(1, ProfileImageKind::kAvatar, {wide, "image/jpeg"});
  ASSERT_TRUE(avatar.ok()) << avatar.error().message;
  EXPECT_TRUE(IsMediaFileName(*avatar));
  EXPECT_NE(avatar->find("/avatar.jpg"), std::string::npos);
  auto header = service_->KeepProfileImage(1, ProfileImageKind::kHeader, {wide, ""});
  ASSERT_TRUE(header.ok());
  EXPECT_NE(header->find("/header.jpg"), std::string::npos);
  const auto size_of = [&](const std::string& name) {
    auto file = storage_->Open(name);
    EXPECT_TRUE(file.ok());
    std::string bytes((*file)->size(), '\0');
    EXPECT_EQ(::pread((*file)->fd(), bytes.data(), bytes.size(), 0),
              static_cast<ssize_t>(bytes.size()));
    auto probe = ProbeImage(bytes, ImageLimits{});
    EXPECT_TRUE(probe.ok());
    return std::pair{probe->width, probe->height};
  };
  EXPECT_EQ(size_of(*avatar), (std::pair{400, 400}));
  EXPECT_EQ(size_of(*header), (std::pair{889, 500}));
  EXPECT_EQ(
      service_->KeepProfileImage(1, ProfileImageKind::kAvatar, {wide, "image/gif"}).error().code,
      ErrorCode::kUnprocessable);
  EXPECT_EQ(Files(), 2);
  service_->DiscardProfileImage(*avatar);
  service_->DiscardProfileImage(*header);
  EXPECT_EQ(Files(), 0);
}

TEST_F(MediaServiceTest, AnUploadAnotherProcessLeftIsTakenUpOnceItsClaimLapses) {
  // Another process on the same store and files, which takes an upload
  // and stops before it processes it.
  SnowflakeGenerator other_ids{clock_, 2};
  MediaService other(temp_->store(), *storage_, other_ids, clock_, MediaLimits{},
                     (dir_ / ".work2").string());
  const std::string wav = MakeWav();
  auto left = other.Upload({.account_id = 1, .bytes = wav, .declared_type = "audio/wav"});
  ASSERT_TRUE(left.ok()) << left.error().message;
  ASSERT_EQ(left->state, MediaState::kProcessing);

  EXPECT_EQ(service_->ResumeAbandoned().value(), 0);  // its claim holds
  clock_.Advance(MediaLimits{}.claim_ms);
  EXPECT_EQ(service_->ResumeAbandoned().value(), 1);
  Result<MediaAttachment> found = Error::NotFound();
  for (int i = 0; i < 300; ++i) {
    found = service_->Find(1, left->id);
    if (!found || found->state != MediaState::kProcessing) break;
    ::usleep(100'000);
  }
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->state, MediaState::kReady) << found->failure;
  EXPECT_EQ(found->type, MediaType::kAudio);
  EXPECT_EQ(found->original.mime_type, "audio/mpeg");
  // The process that left it would not make it again.
  EXPECT_FALSE(temp_->store()
                   .ClaimMediaProcessing(left->id, 2, clock_.NowMillis(), clock_.NowMillis() + 1)
                   .value());
}

TEST(MediaFileNameTest, OnlyAKeyAndAVersionNameAFile) {
  EXPECT_TRUE(IsMediaFileName("0123456789abcdef0123456789abcdef/original.jpg"));
  EXPECT_TRUE(IsMediaFileName("0123456789abcdef0123456789abcdef/small.png"));
  for (const char* name :
       {"", "0123456789abcdef0123456789abcdef/", "../../etc/passwd",
        "0123456789abcdef0123456789abcdef/../x.jpg",
        "0123456789ABCDEF0123456789abcdef/original.jpg",
        "0123456789abcdef0123456789abcde/original.jpg", "0123456789abcdef0123456789abcdef/original",
        "0123456789abcdef0123456789abcdef/.jpg", "0123456789abcdef0123456789abcdef/original.",
        "0123456789abcdef0123456789abcdef/a/b.jpg"}) {
    EXPECT_FALSE(IsMediaFileName(name)) << name;
  }
}

}  // namespace
}  // namespace chirp
