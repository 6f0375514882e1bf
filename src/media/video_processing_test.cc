// Video, GIFs and audio made here with ffmpeg itself, processed, and the
// result probed again.
#include "media/video_processing.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace chirp {
namespace {

namespace fs = std::filesystem;

class VideoProcessingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("chirp-video-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Makes `name` with ffmpeg from its test sources and `args`.
  std::string Make(const std::string& name, std::vector<std::string> args) {
    const std::string path = (dir_ / name).string();
    std::vector<std::string> argv = {"ffmpeg", "-nostdin", "-v", "error", "-y"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(path);
    auto run = RunChild(argv, ChildLimits{});
    EXPECT_TRUE(run.ok() && run->ok()) << (run.ok() ? run->errors : run.error().message);
    return path;
  }

  Result<ProcessedMedia> Process(const std::string& path, MediaContainer container) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    EXPECT_GE(fd, 0);
    auto out = ProcessMedia(fd, container, dir_.string(), "out", VideoLimits{});
    ::close(fd);
    return out;
  }

  fs::path dir_;
};

TEST(SniffContainerTest, FirstBytesNameTheContainer) {
  EXPECT_EQ(SniffContainer(std::string("\0\0\0\x20"
                                       "ftypisom",
                                       12)),
            MediaContainer::kMp4);
  EXPECT_EQ(SniffContainer("\x1a\x45\xdf\xa3rest"), MediaContainer::kMatroska);
  EXPECT_EQ(SniffContainer("GIF89a..."), MediaContainer::kGif);
  EXPECT_EQ(SniffContainer("OggS\0"), MediaContainer::kOgg);
  EXPECT_EQ(SniffContainer(std::string("RIFF\x10\0\0\0WAVEfmt ", 16)), MediaContainer::kWav);
  EXPECT_EQ(SniffContainer("ID3\x04"), MediaContainer::kMp3);
  EXPECT_EQ(SniffContainer("fLaC"), MediaContainer::kFlac);
  EXPECT_EQ(SniffContainer("\xff\xd8\xff\xe0JFIF"), std::nullopt);  // a JPEG
  EXPECT_EQ(SniffContainer("%PDF-1.4"), std::nullopt);
  EXPECT_EQ(SniffContainer(""), std::nullopt);
}

TEST_F(VideoProcessingTest, H264WithAacIsKeptAsItIsWithItsSound) {
  const std::string in =
      Make("in.mp4", {"-f", "lavfi", "-i", "testsrc=duration=1:size=320x240:rate=25", "-f", "lavfi",
                      "-i", "sine=frequency=440:duration=1", "-c:v", "libx264", "-pix_fmt",
                      "yuv420p", "-c:a", "aac", "-shortest"});
  auto out = Process(in, MediaContainer::kMp4);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->type, MediaType::kVideo);
  EXPECT_EQ(out->mime_type, "video/mp4");
  EXPECT_EQ(out->probe.video_codec, "h264");
  EXPECT_EQ(out->probe.audio_codec, "aac");
  EXPECT_EQ(out->probe.width, 320);
  EXPECT_EQ(out->probe.height, 240);
  EXPECT_EQ(out->probe.frame_rate, "25/1");
  EXPECT_NEAR(out->probe.seconds, 1.0, 0.1);
  EXPECT_TRUE(fs::exists(out->poster));
}

TEST_F(VideoProcessingTest, OtherVideoIsTranscodedAndWithoutSoundBecomesAGifv) {
  const std::string in =
      Make("in.webm", {"-f", "lavfi", "-i", "testsrc=duration=1:size=321x241:rate=30", "-c:v",
                       "libvpx-vp9", "-deadline", "realtime"});
  auto out = Process(in, MediaContainer::kMatroska);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->type, MediaType::kGifv);
  EXPECT_EQ(out->probe.video_codec, "h264");
  EXPECT_FALSE(out->probe.has_audio);
  EXPECT_EQ(out->probe.width % 2, 0);  // even sides, as H.264 wants
  EXPECT_EQ(out->probe.height % 2, 0);
}

TEST_F(VideoProcessingTest, AnAnimatedGifBecomesAGifv) {
  const std::string in =
      Make("in.gif", {"-f", "lavfi", "-i", "testsrc=duration=1:size=64x48:rate=10"});
  auto out = Process(in, MediaContainer::kGif);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->type, MediaType::kGifv);
  EXPECT_EQ(out->probe.width, 64);
  EXPECT_EQ(out->probe.height, 48);
}

TEST_F(VideoProcessingTest, AudioBecomesMp3WithItsDuration) {
  const std::string in = Make("in.wav", {"-f", "lavfi", "-i", "sine=frequency=440:duration=2"});
  auto out = Process(in, MediaContainer::kWav);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->type, MediaType::kAudio);
  EXPECT_EQ(out->mime_type, "audio/mpeg");
  EXPECT_NEAR(out->probe.seconds, 2.0, 0.15);
  EXPECT_TRUE(out->poster.empty());
}

TEST_F(VideoProcessingTest, WhatFfmpegCannotDecodeIsRefusedAndLeavesNothing) {
  const std::string in = (dir_ / "broken.mp4").string();
  {
    std::string junk(
        "\0\0\0\x20"
        "ftypisom",
        12);
    junk += std::string(4096, 'x');
    FILE* f = std::fopen(in.c_str(), "wb");
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  auto out = Process(in, MediaContainer::kMp4);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kUnprocessable);
  EXPECT_FALSE(fs::exists(dir_ / "out.mp4"));
}

TEST(ChildProcessTest, AChildPastItsWallTimeIsKilled) {
  auto run = RunChild({"sleep", "5"}, ChildLimits{.wall_time = std::chrono::milliseconds(200)});
  ASSERT_TRUE(run.ok());
  EXPECT_TRUE(run->timed_out);
  EXPECT_FALSE(run->ok());
}

TEST(ChildProcessTest, OutputAndExitCodeComeBack) {
  auto run = RunChild({"sh", "-c", "echo out; echo err >&2; exit 3"}, ChildLimits{});
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->exit_code, 3);
  EXPECT_EQ(run->output, "out\n");
  EXPECT_EQ(run->errors, "err\n");
}

TEST(ChildProcessTest, InheritedDescriptorsArriveFromThree) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  ASSERT_EQ(::write(fds[1], "piped", 5), 5);
  ::close(fds[1]);
  auto run = RunChild({"cat", "/dev/fd/3"}, ChildLimits{}, {fds[0]});
  ::close(fds[0]);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->output, "piped");
}

}  // namespace
}  // namespace chirp
