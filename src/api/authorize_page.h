// The HTML of the OAuth authorization flow: the sign-in and consent form, and
// the page that shows a code for the out-of-band redirect.
#pragma once

#include <string>

namespace chirp {

struct AuthorizeForm {
  std::string app_name;
  std::string app_website;
  std::string client_id;
  std::string redirect_uri;
  std::string scope;
  std::string state;
  std::string code_challenge;
  std::string code_challenge_method;
  std::string username;  // pre-filled after a failed attempt
  std::string error;     // shown above the form; "" for none
};

std::string RenderAuthorizePage(const std::string& instance_title, const AuthorizeForm& form);
std::string RenderCodePage(const std::string& instance_title, const std::string& app_name,
                           const std::string& code);

}  // namespace chirp
