// Video, animated GIFs and audio as Chirp keeps them, through FFmpeg's
// command-line tools (Debian's ffmpeg and ffprobe) run as child processes
// with limits (media/child_process.h), never linked in.
//
// A file is first identified by its bytes (MP4 and QuickTime, WebM and
// Matroska, GIF, MP3, Ogg, WAV, FLAC); only the demuxer of that container
// is allowed to read it. Then:
//   - video already in H.264 (yuv420p) with AAC or no sound, within the
//     limits: copied as it is, moved to fast start, metadata dropped;
//   - other video and animated GIFs: transcoded to H.264 in MP4 (even
//     sides, within the pixel and frame-rate limits, bitrate capped);
//   - video without sound and GIFs become `gifv`, as Mastodon has it;
//   - audio: transcoded to MP3.
// A poster (the first frame) is taken from video for the preview.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "media/child_process.h"
#include "store/records.h"

namespace chirp {

// The containers accepted, by their first bytes.
enum class MediaContainer { kMp4, kMatroska, kGif, kMp3, kOgg, kWav, kFlac };

// The container `head` (the first bytes of a file, 64 are enough) starts,
// or nullopt when it is none of the accepted ones.
std::optional<MediaContainer> SniffContainer(std::string_view head);
// The kind an upload in `container` is expected to become (before probing
// tells whether a video has sound).
MediaType ExpectedMediaType(MediaContainer container);

struct VideoLimits {
  int64_t max_bytes = 99 << 20;
  int64_t max_pixels = 8'294'400;   // of a frame
  int max_frame_rate = 60;          // above: transcoded down to it
  int64_t max_bitrate = 8'000'000;  // above: transcoded (bits per second)
  double max_seconds = 600;         // longer is refused
  ChildLimits child;
};

// What ffprobe says of a file.
struct MediaProbe {
  bool has_video = false;
  bool has_audio = false;
  std::string video_codec;
  std::string audio_codec;
  std::string pixel_format;
  int width = 0;
  int height = 0;
  std::string frame_rate;  // "30/1"
  double fps = 0;
  double seconds = 0;
  int64_t bitrate = 0;  // of the whole file, bits per second
};

// Probes the file open as `fd`, read as `container`. kUnprocessable when
// ffprobe cannot read it.
Result<MediaProbe> ProbeMedia(int fd, MediaContainer container, const ChildLimits& limits);

struct ProcessedMedia {
  MediaType type = MediaType::kVideo;
  std::string path;       // the file made, in the work directory: MP4 or MP3
  std::string mime_type;  // video/mp4 or audio/mpeg
  std::string poster;     // a PNG of the first frame ("" for audio)
  MediaProbe probe;       // of what was made
};

// Makes the kept version of the upload open as `fd` into `work_dir` (files
// named after `stem`). kUnprocessable, with the reason, when it cannot be
// read or is beyond the limits; the files made are removed then.
Result<ProcessedMedia> ProcessMedia(int fd, MediaContainer container, const std::string& work_dir,
                                    const std::string& stem, const VideoLimits& limits);

}  // namespace chirp
