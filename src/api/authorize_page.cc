#include "api/authorize_page.h"

#include "core/text.h"

namespace chirp {
namespace {

constexpr const char* kStyle =
    "body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1b1f23;margin:0}"
    "main{max-width:420px;margin:48px auto;background:#fff;border-radius:12px;padding:28px;"
    "box-shadow:0 1px 4px rgba(0,0,0,.12)}"
    "h1{font-size:1.3rem;margin:0 0 12px}label{display:block;margin:14px 0 4px;font-weight:600}"
    "input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:10px;"
    "border:1px solid #c8ccd1;border-radius:8px;font-size:1rem}"
    ".scopes{background:#f4f5f7;border-radius:8px;padding:8px 12px;font-family:monospace}"
    ".error{background:#fde8e8;color:#9b1c1c;border-radius:8px;padding:10px;margin:12px 0}"
    ".actions{display:flex;gap:12px;margin-top:20px}button{flex:1;padding:11px;border:0;"
    "border-radius:8px;font-size:1rem;cursor:pointer}"
    "button[value=approve]{background:#2b6cb0;color:#fff}button[value=deny]{background:#e2e8f0}"
    "code{display:block;font-size:1.1rem;background:#f4f5f7;padding:12px;border-radius:8px;"
    "word-break:break-all;user-select:all}";

std::string Head(const std::string& title) {
  return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
         "<meta name=\"referrer\" content=\"no-referrer\"><title>" +
         EscapeHtml(title) + "</title><style>" + kStyle + "</style></head><body><main>";
}

std::string Hidden(const char* name, const std::string& value) {
  return std::string("<input type=\"hidden\" name=\"") + name + "\" value=\"" + EscapeHtml(value) +
         "\">";
}

}  // namespace

std::string RenderAuthorizePage(const std::string& instance_title, const AuthorizeForm& f) {
  std::string html = Head("Authorize " + f.app_name + " · " + instance_title);
  html += "<h1>Authorize " + EscapeHtml(f.app_name) + "</h1>";
  html += "<p>" + EscapeHtml(f.app_name);
  if (!f.app_website.empty()) html += " (" + EscapeHtml(f.app_website) + ")";
  html += " asks for access to your account on " + EscapeHtml(instance_title) +
          " with these permissions:</p><p class=\"scopes\" id=\"scopes\">" + EscapeHtml(f.scope) +
          "</p>";
  if (!f.error.empty()) html += "<p class=\"error\" id=\"error\">" + EscapeHtml(f.error) + "</p>";
  html += "<form method=\"post\" action=\"/oauth/authorize\">";
  html += Hidden("response_type", "code") + Hidden("client_id", f.client_id) +
          Hidden("redirect_uri", f.redirect_uri) + Hidden("scope", f.scope) +
          Hidden("state", f.state) + Hidden("code_challenge", f.code_challenge) +
          Hidden("code_challenge_method", f.code_challenge_method);
  html +=
      "<label for=\"username\">Username or e-mail</label>"
      "<input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" required "
      "value=\"" +
      EscapeHtml(f.username) + "\">";
  html +=
      "<label for=\"password\">Password</label>"
      "<input type=\"password\" id=\"password\" name=\"password\" "
      "autocomplete=\"current-password\" required>";
  html +=
      "<div class=\"actions\"><button type=\"submit\" name=\"decision\" value=\"deny\" "
      "formnovalidate>Deny</button>"
      "<button type=\"submit\" name=\"decision\" value=\"approve\">Authorize</button></div></form>";
  html += "</main></body></html>";
  return html;
}

std::string RenderCodePage(const std::string& instance_title, const std::string& app_name,
                           const std::string& code) {
  std::string html = Head("Authorization code · " + instance_title);
  html += "<h1>Authorization code</h1><p>Copy this code and paste it into " + EscapeHtml(app_name) +
          ":</p><code id=\"authorization-code\">" + EscapeHtml(code) + "</code>";
  html += "</main></body></html>";
  return html;
}

}  // namespace chirp
