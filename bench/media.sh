#!/usr/bin/env bash
# Media, each figure a ratio to a baseline of the same run:
#
#   media_images   12-megapixel JPEGs uploaded through POST /api/v2/media
#                  (kept within 3840×2160 of area, a preview within 640×360,
#                  a blurhash, both written to the media directory), two at a
#                  time, in images per second, against libvips's own command
#                  line (`vips thumbnail`, a process per version) making the
#                  same two versions of the same files, two at a time.
#   media_memory   chirpd's resident memory while 16 uploads of 16 MB each
#                  are in flight (sent slowly, then processed), above what
#                  it held before, per upload; anonymous memory apart (an
#                  upload's body is in a file, whose pages the kernel may
#                  drop). Once with photos (processed within the request),
#                  once with videos (kept, then transcoded in the
#                  background by ffmpeg, whose memory is its own, limited
#                  per child: only chirpd's is counted).
#   media_serve    a 1 MB image, and a 1 MiB range of a 50 MB video, served
#                  by chirpd from its media directory against nginx serving
#                  the same files (wrk, 64 connections).
#
#   IMAGES=16 (uploads and CLI runs each), CONNECTIONS=64, WRK_SECONDS=10
source "$(dirname "$0")/lib.sh"
images=${IMAGES:-16}
export WRK_CONNECTIONS=${CONNECTIONS:-64}

# The photos: ffmpeg's detailed test picture with grain, 4000×3000, as a
# camera's JPEG (3.6 MB).
photos="$bench_tmp/photos"
mkdir -p "$photos"
ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=4000x3000 -vf noise=alls=12:allf=t \
  -frames:v 1 -q:v 3 "$photos/photo.jpg"
for i in $(seq "$images"); do cp "$photos/photo.jpg" "$photos/photo-$i.jpg"; done
rm "$photos/photo.jpg"
photo_bytes=$(stat -c %s "$photos/photo-1.jpg")

# The command line: the two versions Chirp makes (4000×3000 is 12 MP; the
# original within 8,294,400 pixels is 3325×2494, the preview within
# 230,400 is 554×415), written as Chirp writes them.
cli_start=$(date +%s.%N)
ls "$photos"/*.jpg | xargs -P 2 -I{} sh -c '
  vips thumbnail "$1" "$1.original.jpg[Q=90,strip,optimize_coding,interlace]" 3325 --height 2494 &&
  vips thumbnail "$1" "$1.small.jpg[Q=90,strip,optimize_coding,interlace]" 554 --height 415' _ {}
cli_end=$(date +%s.%N)
rm -f "$photos"/*.original.jpg "$photos"/*.small.jpg
cli_rate=$(python3 -c "print(round($images / ($cli_end - $cli_start), 2))")

start_chirpd --rate-limits off
token=$(sign_up mediabench)
export CHIRP_URL token

upload() {  # FILE [CURL ARGS...]: POST /api/v2/media; fails unless 200 (202 for video)
  local file=$1 type=image/jpeg expect=200
  shift
  case $file in *.mp4) type=video/mp4 expect=202 ;; esac
  curl -sf -o /dev/null -w '%{http_code}\n' "$@" -H "Authorization: Bearer $token" \
    -F "file=@$file;type=$type" "$CHIRP_URL/api/v2/media" | grep -qx "$expect"
}
export -f upload

chirp_start=$(date +%s.%N)
ls "$photos"/*.jpg | xargs -P 2 -I{} bash -c 'upload "$1"' _ {}
chirp_end=$(date +%s.%N)
chirp_rate=$(python3 -c "print(round($images / ($chirp_end - $chirp_start), 2))")
ratio=$(python3 -c "print(round($chirp_rate / $cli_rate, 3))")
echo "images: chirpd $chirp_rate/s, vips thumbnail $cli_rate/s: $ratio (12 MP JPEG of $photo_bytes bytes)"
record media_images chirp_per_s "$chirp_rate" vips_per_s "$cli_rate" ratio "$ratio" photo_bytes "$photo_bytes"

# Memory: 16 uploads of 16 MB (the photo, padded after its end; a video of
# 16 MB made by ffmpeg), each sent at 4 MB/s, sampled every 50 ms until all
# are answered, and for the videos until all are processed.
big="$bench_tmp/big.jpg"
cp "$photos/photo-1.jpg" "$big"
truncate -s 16000000 "$big"
video="$bench_tmp/big.mp4"
ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=1280x720:rate=30 -t 8 \
  -c:v libx264 -preset ultrafast -b:v 16M -maxrate 16M -bufsize 32M -pix_fmt yuv420p "$video"
resident() { awk '/^(VmRSS|RssAnon):/ {printf "%s ", $2}' "/proc/$CHIRP_PID/status"; }
processing() {  # how many uploads are still processing: each keeps its source.bin until then
  find "$bench_tmp/data/media" -name source.bin | wc -l
}
in_flight() {  # FILE KIND: prints "PER_UPLOAD_MB ANON_PER_UPLOAD_MB RSS_BEFORE_MB"
  local file=$1 kind=$2 rss_before anon_before rss anon peak_rss peak_anon uploads=()
  read -r rss_before anon_before <<< "$(resident)"
  for i in $(seq 16); do
    upload "$file" --limit-rate 4M &
    uploads+=($!)
  done
  peak_rss=$rss_before
  peak_anon=$anon_before
  running() {
    for pid in "${uploads[@]}"; do kill -0 "$pid" 2> /dev/null && return 0; done
    [ "$(processing)" != 0 ]
  }
  while running; do
    read -r rss anon <<< "$(resident)"
    [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
    [ "$anon" -gt "$peak_anon" ] && peak_anon=$anon
    sleep 0.05
  done
  for pid in "${uploads[@]}"; do wait "$pid" || { echo "an upload of 16 MB ($kind) failed" >&2; exit 1; }; done
  echo "memory: 16 $kind uploads of 16 MB in flight: peak resident +$(( (peak_rss - rss_before) / 1024 )) MB, anonymous +$(( (peak_anon - anon_before) / 1024 )) MB" >&2
  python3 -c "print(round(($peak_rss - $rss_before) / 1024 / 16, 2), round(($peak_anon - $anon_before) / 1024 / 16, 2), $rss_before // 1024)"
}
read -r per_upload_mb anon_per_upload_mb rss_before_mb <<< "$(in_flight "$big" photo)"
read -r video_per_upload_mb video_anon_per_upload_mb _ <<< "$(in_flight "$video" video)"
echo "memory per upload in flight: photos $per_upload_mb MB resident ($anon_per_upload_mb MB anonymous), videos $video_per_upload_mb MB ($video_anon_per_upload_mb MB)"
record media_memory rss_per_upload_mb "$per_upload_mb" anon_per_upload_mb "$anon_per_upload_mb" \
  video_rss_per_upload_mb "$video_per_upload_mb" video_anon_per_upload_mb "$video_anon_per_upload_mb" \
  rss_before_mb "$rss_before_mb"

# Serving: files put where chirpd keeps an upload's versions, under keys of
# their own, and nginx serving the same bytes.
place() {  # KEY NAME BYTES: writes random bytes as media/<key[0:2]>/<key>/<name>
  mkdir -p "$bench_tmp/data/media/${1:0:2}/$1"
  head -c "$3" /dev/urandom > "$bench_tmp/data/media/${1:0:2}/$1/$2"
}
image_key=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
video_key=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
place "$image_key" original.jpg 1000000
place "$video_key" original.mp4 50000000
start_nginx "$bench_tmp/data/media/${image_key:0:2}/$image_key/original.jpg"
cp "$bench_tmp/data/media/${video_key:0:2}/$video_key/original.mp4" "$bench_tmp/nginx/www/video.mp4"
chmod 644 "$bench_tmp/nginx/www/video.mp4"
range="Range: bytes=10000000-11048575"
nginx_image=$(wrk_run "$NGINX_URL/static.json")
chirp_image=$(wrk_run "$CHIRP_URL/media/$image_key/original.jpg")
nginx_range=$(wrk_run "$NGINX_URL/video.mp4" -H "$range")
kill -0 "$CHIRP_PID" 2> /dev/null || { echo "chirpd ended:"; tail -20 "$bench_tmp/chirpd.err"; exit 1; }
chirp_range=$(wrk_run "$CHIRP_URL/media/$video_key/original.mp4" -H "$range")
image_ratio=$(python3 -c "print(round($chirp_image / $nginx_image, 3))")
range_ratio=$(python3 -c "print(round($chirp_range / $nginx_range, 3))")
echo "serving: 1 MB image chirpd $chirp_image/s, nginx $nginx_image/s: $image_ratio; 1 MiB range of 50 MB chirpd $chirp_range/s, nginx $nginx_range/s: $range_ratio"
record media_serve image_ratio "$image_ratio" chirp_image_rps "$chirp_image" nginx_image_rps "$nginx_image" \
  range_ratio "$range_ratio" chirp_range_rps "$chirp_range" nginx_range_rps "$nginx_range"
echo "media: images $ratio of vips thumbnail; $anon_per_upload_mb MB (photos), $video_anon_per_upload_mb MB (videos) anonymous an upload in flight; serving $image_ratio (1 MB) and $range_ratio (range) of nginx"
