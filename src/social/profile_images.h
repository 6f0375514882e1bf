// Where an account's avatar and header are kept. The media service keeps
// them (media/media_service.h) beside uploads; the account service only
// asks it, so that a profile update is one call.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace chirp {

enum class ProfileImageKind { kAvatar, kHeader };

// An image as a client sent it.
struct UploadedImage {
  std::string_view bytes;
  std::string_view declared_type;  // the form part's Content-Type; "" when none
};

class ProfileImages {
 public:
  virtual ~ProfileImages() = default;
  // Processes and keeps the image of `account_id`: the name of its file,
  // to be kept in the account. kUnprocessable (or kPayloadTooLarge) for an
  // image Chirp does not accept, as for uploads.
  virtual Result<std::string> KeepProfileImage(int64_t account_id, ProfileImageKind kind,
                                               const UploadedImage& upload) = 0;
  // Removes a file KeepProfileImage made, once no account shows it.
  virtual void DiscardProfileImage(const std::string& name) = 0;
};

}  // namespace chirp
