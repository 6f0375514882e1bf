// How both stores keep a media attachment in a row of media_attachments:
// the columns they read, in one order, and the names its type is stored
// by (internal to the store implementations).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "store/records.h"

namespace chirp {

// The columns ReadMediaColumns expects, in order, from `media_attachments m`.
#define MEDIA_COLUMNS                                                                         \
  "m.id, m.account_id, m.status_id, m.type, m.state, m.file_key, m.original_name, "           \
  "m.original_type, m.original_width, m.original_height, m.original_bytes, m.small_name, "    \
  "m.small_type, m.small_width, m.small_height, m.small_bytes, m.duration_ms, m.frame_rate, " \
  "m.bitrate, m.description, m.focus_x, m.focus_y, m.blurhash, m.failure, m.created_at, "     \
  "m.thumbnail_name, m.thumbnail_type, m.thumbnail_width, m.thumbnail_height, m.thumbnail_bytes"

// The statements both stores write an attachment with; their parameters
// first appear in order ($1, $2, ...; a later one may repeat an earlier),
// which SQLite then numbers as PostgreSQL does.
// What processing sets is $1 to $18, in WithProcessedMedia's order (the
// blurhash of a thumbnail its owner gave stays); an insert adds the rest.
#define MEDIA_PROCESSED_COLUMNS                                                      \
  "type, state, original_name, original_type, original_width, original_height, "     \
  "original_bytes, small_name, small_type, small_width, small_height, small_bytes, " \
  "duration_ms, frame_rate, bitrate, blurhash, failure"
#define MEDIA_INSERT                                                                         \
  "INSERT INTO media_attachments (" MEDIA_PROCESSED_COLUMNS                                  \
  ", description, focus_x, focus_y, id, account_id, file_key, created_at, thumbnail_name, "  \
  "thumbnail_type, thumbnail_width, thumbnail_height, thumbnail_bytes) VALUES ($1, $2, "     \
  "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, " \
  "$22, $23, $24, $25, $26, $27, $28, $29)"
#define MEDIA_PROCESSED_UPDATE                                                           \
  "UPDATE media_attachments SET type = $1, state = $2, original_name = $3, "             \
  "original_type = $4, original_width = $5, original_height = $6, original_bytes = $7, " \
  "small_name = $8, small_type = $9, small_width = $10, small_height = $11, "            \
  "small_bytes = $12, duration_ms = $13, frame_rate = $14, bitrate = $15, "              \
  "blurhash = CASE WHEN thumbnail_name = '' THEN $16 ELSE blurhash END, "                \
  "failure = $17 WHERE id = $18 AND status_id = 0"
#define MEDIA_SET_THUMBNAIL                                                           \
  "UPDATE media_attachments SET thumbnail_name = $1, thumbnail_type = $2, "           \
  "thumbnail_width = $3, thumbnail_height = $4, thumbnail_bytes = $5, blurhash = $6 " \
  "WHERE id = $7 AND account_id = $8 AND status_id = 0"
// The processing of $3 claimed for owner $1 until $2, unless another
// owner's claim lasts past $4.
#define MEDIA_CLAIM_PROCESSING                                       \
  "UPDATE media_attachments SET lease_owner = $1, lease_until = $2 " \
  "WHERE id = $3 AND state = 0 AND (lease_owner = $1 OR lease_until <= $4)"
// Uploads processing that owner $1 may take up at $2, oldest first, $3 at
// most.
#define MEDIA_LIST_PROCESSING                                               \
  "SELECT " MEDIA_COLUMNS                                                   \
  " FROM media_attachments m WHERE m.state = 0 AND (m.lease_owner = $1 OR " \
  "m.lease_until <= $2) ORDER BY m.id LIMIT $3"
#define MEDIA_DESCRIBE                                                         \
  "UPDATE media_attachments SET description = $1, focus_x = $2, focus_y = $3 " \
  "WHERE id = $4 AND account_id = $5 AND status_id = 0"

// Calls `add` with each value MEDIA_PROCESSED_COLUMNS names, in order.
template <typename Add>
void WithProcessedMedia(const MediaAttachment& m, Add&& add) {
  add(MediaTypeName(m.type));
  add(static_cast<int64_t>(m.state));
  for (const MediaFileInfo* file : {&m.original, &m.small}) {
    add(std::string_view(file->name));
    add(std::string_view(file->mime_type));
    add(int64_t{file->width});
    add(int64_t{file->height});
    add(file->bytes);
  }
  add(m.duration_ms);
  add(std::string_view(m.frame_rate));
  add(m.bitrate);
  add(std::string_view(m.blurhash));
  add(std::string_view(m.failure));
}

// The same for MEDIA_INSERT: all of its values.
template <typename Add>
void WithNewMedia(const MediaAttachment& m, Add&& add) {
  WithProcessedMedia(m, add);
  add(std::string_view(m.description));
  add(m.focus_x);
  add(m.focus_y);
  add(m.id);
  add(m.account_id);
  add(std::string_view(m.file_key));
  add(m.created_at_ms);
  add(std::string_view(m.thumbnail.name));
  add(std::string_view(m.thumbnail.mime_type));
  add(int64_t{m.thumbnail.width});
  add(int64_t{m.thumbnail.height});
  add(m.thumbnail.bytes);
}

// Why a media id could not be attached to a new status: kUnprocessable,
// saying whether the account's unattached upload is still processing
// (`pending`) or there is no such upload.
Error UnattachableMedia(int64_t media_id, bool pending);

// Whether `media` may go together in one status: up to four images, or one
// video, GIF or audio alone (kUnprocessable otherwise).
Status MixableMedia(const std::vector<MediaAttachment>& media);

// Adds `media` to the attachments of `status` (read in their order).
inline void AddMedia(StatusRecord& status, MediaAttachment media) {
  status.media_ids.push_back(media.id);
  status.media.push_back(std::move(media));
}

// The attachment in the columns of MEDIA_COLUMNS, read through `row`, which
// has Int(i), Real(i) and Text(i) of the i-th of them.
template <typename Row>
MediaAttachment ReadMediaColumns(const Row& row) {
  MediaAttachment m;
  m.id = row.Int(0);
  m.account_id = row.Int(1);
  m.status_id = row.Int(2);
  m.type = MediaTypeFromName(row.Text(3));
  m.state = static_cast<MediaState>(row.Int(4));
  m.file_key = row.Text(5);
  m.original = {row.Text(6), row.Text(7), static_cast<int>(row.Int(8)),
                static_cast<int>(row.Int(9)), row.Int(10)};
  m.small = {row.Text(11), row.Text(12), static_cast<int>(row.Int(13)),
             static_cast<int>(row.Int(14)), row.Int(15)};
  m.duration_ms = row.Int(16);
  m.frame_rate = row.Text(17);
  m.bitrate = row.Int(18);
  m.description = row.Text(19);
  m.focus_x = row.Real(20);
  m.focus_y = row.Real(21);
  m.blurhash = row.Text(22);
  m.failure = row.Text(23);
  m.created_at_ms = row.Int(24);
  m.thumbnail = {row.Text(25), row.Text(26), static_cast<int>(row.Int(27)),
                 static_cast<int>(row.Int(28)), row.Int(29)};
  return m;
}

}  // namespace chirp
