#include "media/video_processing.h"

#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstdio>

namespace chirp {

namespace json = boost::json;

namespace {

// The demuxer that alone may read a container (ffmpeg's -f).
const char* DemuxerOf(MediaContainer c) {
  switch (c) {
    case MediaContainer::kMp4:
      return "mov";
    case MediaContainer::kMatroska:
      return "matroska";
    case MediaContainer::kGif:
      return "gif";
    case MediaContainer::kMp3:
      return "mp3";
    case MediaContainer::kOgg:
      return "ogg";
    case MediaContainer::kWav:
      return "wav";
    case MediaContainer::kFlac:
      return "flac";
  }
  return "none";
}

std::string StringAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

int64_t IntAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_string()) return std::atoll(v->as_string().c_str());
  return 0;
}

double RateOf(const std::string& fraction) {
  int num = 0;
  int den = 0;
  if (std::sscanf(fraction.c_str(), "%d/%d", &num, &den) != 2 || den <= 0) return 0;
  return static_cast<double>(num) / den;
}

// Why ffmpeg or ffprobe failed, in a line a client can be shown.
Error ToolFailure(const char* what, const ChildResult& r) {
  if (r.timed_out) return Error::Unprocessable(std::string(what) + " took too long");
  std::string reason = r.errors;
  if (const size_t nl = reason.find('\n'); nl != std::string::npos) reason.resize(nl);
  if (reason.size() > 200) reason.resize(200);
  return Error::Unprocessable(std::string(what) + " failed" +
                              (reason.empty() ? std::string() : ": " + reason));
}

Result<MediaProbe> ParseProbe(const std::string& output) {
  boost::system::error_code ec;
  json::value root = json::parse(output, ec);
  if (ec || !root.is_object()) return Error::Unprocessable("The file could not be read");
  MediaProbe probe;
  if (const json::value* streams = root.as_object().if_contains("streams");
      streams != nullptr && streams->is_array()) {
    for (const json::value& s : streams->as_array()) {
      if (!s.is_object()) continue;
      const json::object& stream = s.as_object();
      const std::string type = StringAt(stream, "codec_type");
      bool cover = false;  // a picture attached to audio is not video
      if (const json::value* d = stream.if_contains("disposition");
          d != nullptr && d->is_object()) {
        cover = IntAt(d->as_object(), "attached_pic") != 0;
      }
      if (type == "video" && !cover && !probe.has_video) {
        probe.has_video = true;
        probe.video_codec = StringAt(stream, "codec_name");
        probe.pixel_format = StringAt(stream, "pix_fmt");
        probe.width = static_cast<int>(IntAt(stream, "width"));
        probe.height = static_cast<int>(IntAt(stream, "height"));
        probe.frame_rate = StringAt(stream, "avg_frame_rate");
        if (RateOf(probe.frame_rate) <= 0) probe.frame_rate = StringAt(stream, "r_frame_rate");
        probe.fps = RateOf(probe.frame_rate);
      } else if (type == "audio" && !probe.has_audio) {
        probe.has_audio = true;
        probe.audio_codec = StringAt(stream, "codec_name");
      }
    }
  }
  if (const json::value* f = root.as_object().if_contains("format");
      f != nullptr && f->is_object()) {
    probe.seconds = std::atof(StringAt(f->as_object(), "duration").c_str());
    probe.bitrate = IntAt(f->as_object(), "bit_rate");
  }
  return probe;
}

Result<MediaProbe> ProbePath(const std::string& path, const char* demuxer,
                             const ChildLimits& limits, const std::vector<int>& inherit) {
  auto run = RunChild({"ffprobe", "-v", "error", "-f", demuxer, "-print_format", "json",
                       "-show_format", "-show_streams", path},
                      limits, inherit);
  if (!run) return std::move(run).error();
  if (!run->ok()) return ToolFailure("Reading the file", *run);
  return ParseProbe(run->output);
}

// Even sides within the pixel limit, the shape kept.
std::pair<int, int> EvenWithin(int width, int height, int64_t max_pixels) {
  double scale = 1;
  if (int64_t{width} * height > max_pixels) {
    scale = std::sqrt(static_cast<double>(max_pixels) / (static_cast<double>(width) * height));
  }
  const int w = std::max(2, static_cast<int>(width * scale) / 2 * 2);
  const int h = std::max(2, static_cast<int>(height * scale) / 2 * 2);
  return {w, h};
}

bool CopyableVideo(const MediaProbe& p, MediaContainer c, const VideoLimits& limits) {
  return c == MediaContainer::kMp4 && p.video_codec == "h264" && p.pixel_format == "yuv420p" &&
         (!p.has_audio || p.audio_codec == "aac") &&
         int64_t{p.width} * p.height <= limits.max_pixels && p.width % 2 == 0 &&
         p.height % 2 == 0 && p.fps <= limits.max_frame_rate &&
         (p.bitrate == 0 || p.bitrate <= limits.max_bitrate);
}

}  // namespace

std::optional<MediaContainer> SniffContainer(std::string_view head) {
  const auto at = [&](size_t offset, std::string_view magic) {
    return head.size() >= offset + magic.size() && head.substr(offset, magic.size()) == magic;
  };
  if (at(4, "ftyp")) return MediaContainer::kMp4;
  if (at(0, "\x1a\x45\xdf\xa3")) return MediaContainer::kMatroska;
  if (at(0, "GIF87a") || at(0, "GIF89a")) return MediaContainer::kGif;
  if (at(0, "OggS")) return MediaContainer::kOgg;
  if (at(0, "RIFF") && at(8, "WAVE")) return MediaContainer::kWav;
  if (at(0, "fLaC")) return MediaContainer::kFlac;
  if (at(0, "ID3") || (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0xff &&
                       (static_cast<unsigned char>(head[1]) & 0xe0) == 0xe0)) {
    return MediaContainer::kMp3;
  }
  return std::nullopt;
}

MediaType ExpectedMediaType(MediaContainer container) {
  switch (container) {
    case MediaContainer::kMp4:
    case MediaContainer::kMatroska:
      return MediaType::kVideo;
    case MediaContainer::kGif:
      return MediaType::kGifv;
    case MediaContainer::kMp3:
    case MediaContainer::kOgg:
    case MediaContainer::kWav:
    case MediaContainer::kFlac:
      return MediaType::kAudio;
  }
  return MediaType::kUnknown;
}

Result<MediaProbe> ProbeMedia(int fd, MediaContainer container, const ChildLimits& limits) {
  return ProbePath("/dev/fd/3", DemuxerOf(container), limits, {fd});
}

Result<ProcessedMedia> ProcessMedia(int fd, MediaContainer container, const std::string& work_dir,
                                    const std::string& stem, const VideoLimits& limits) {
  auto probe = ProbeMedia(fd, container, limits.child);
  if (!probe) return std::move(probe).error();
  if (probe->seconds > limits.max_seconds) {
    return Error::Unprocessable("The file is too long (at most " +
                                std::to_string(static_cast<int>(limits.max_seconds)) + " s)");
  }
  ProcessedMedia out;
  const bool video = probe->has_video;
  if (!video && !probe->has_audio) return Error::Unprocessable("The file has no video or sound");
  if (video && (probe->width <= 0 || probe->height <= 0)) {
    return Error::Unprocessable("The video has no picture size");
  }
  out.type = !video                                                     ? MediaType::kAudio
             : (container == MediaContainer::kGif || !probe->has_audio) ? MediaType::kGifv
                                                                        : MediaType::kVideo;
  out.mime_type = video ? "video/mp4" : "audio/mpeg";
  out.path = work_dir + "/" + stem + (video ? ".mp4" : ".mp3");
  std::vector<std::string> argv = {"ffmpeg", "-nostdin",           "-v", "error",    "-y",
                                   "-f",     DemuxerOf(container), "-i", "/dev/fd/3"};
  if (!video) {
    argv.insert(argv.end(), {"-map", "0:a:0", "-vn", "-c:a", "libmp3lame", "-b:a", "192k",
                             "-map_metadata", "-1", "-f", "mp3", out.path});
  } else if (CopyableVideo(*probe, container, limits)) {
    argv.insert(argv.end(), {"-map", "0:v:0", "-map", "0:a:0?", "-c", "copy", "-map_metadata", "-1",
                             "-movflags", "+faststart", "-f", "mp4", out.path});
  } else {
    const auto [w, h] = EvenWithin(probe->width, probe->height, limits.max_pixels);
    argv.insert(argv.end(),
                {"-map", "0:v:0", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
                 "-maxrate", std::to_string(limits.max_bitrate / 1000) + "k", "-bufsize",
                 std::to_string(limits.max_bitrate / 500) + "k", "-pix_fmt", "yuv420p", "-vf",
                 "scale=" + std::to_string(w) + ":" + std::to_string(h)});
    if (probe->fps > limits.max_frame_rate) {
      argv.insert(argv.end(), {"-r", std::to_string(limits.max_frame_rate)});
    }
    if (out.type == MediaType::kVideo) {
      argv.insert(argv.end(), {"-map", "0:a:0", "-c:a", "aac", "-b:a", "192k"});
    } else {
      argv.push_back("-an");
    }
    argv.insert(argv.end(),
                {"-map_metadata", "-1", "-movflags", "+faststart", "-f", "mp4", out.path});
  }
  const auto fail = [&](Error e) -> Result<ProcessedMedia> {
    ::unlink(out.path.c_str());
    if (!out.poster.empty()) ::unlink(out.poster.c_str());
    return e;
  };
  auto made = RunChild(argv, limits.child, {fd});
  if (!made) return fail(std::move(made).error());
  if (!made->ok()) return fail(ToolFailure("Converting the file", *made));
  // What was made, read by the demuxer of what Chirp wrote.
  auto kept = ProbePath(out.path, video ? "mov" : "mp3", limits.child, {});
  if (!kept) return fail(std::move(kept).error());
  out.probe = std::move(kept).value();
  if (video) {
    out.poster = work_dir + "/" + stem + "-poster.png";
    auto poster = RunChild({"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "mov", "-i", out.path,
                            "-frames:v", "1", "-f", "image2", "-c:v", "png", out.poster},
                           limits.child);
    if (!poster) return fail(std::move(poster).error());
    if (!poster->ok()) return fail(ToolFailure("Taking the first frame", *poster));
  }
  return out;
}

}  // namespace chirp
