#include "mastodon/status_presenter.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "mastodon/mastodon_test_support.h"

namespace chirp {
namespace {

namespace json = boost::json;

class StatusPresenterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitSecrets());
    api_ = std::make_unique<TestReadSide>(
        std::string("presenter-") + ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        4);
    ASSERT_TRUE(api_->ok());
  }

  // The statuses `viewer` receives of `ids`, as parsed JSON.
  json::array Render(int64_t viewer, const std::vector<int64_t>& ids, bool hide_muted = false) {
    StatusPresenter presenter(api_->read(), viewer, "http://chirp.test");
    if (hide_muted) presenter.HideMuted();
    auto rendered = presenter.RenderVisibleIds(ids);
    EXPECT_TRUE(rendered.ok());
    return rendered.ok() ? json::parse(*rendered).as_array() : json::array();
  }
  static std::vector<std::string> IdsIn(const json::array& statuses) {
    std::vector<std::string> out;
    for (const json::value& s : statuses) out.emplace_back(s.at("id").as_string());
    return out;
  }

  std::unique_ptr<TestReadSide> api_;
};

TEST_F(StatusPresenterTest, LeavesOutWhatTheViewerMayNotSee) {
  const int64_t open = api_->Post(2, "for all");
  const int64_t followers = api_->Post(2, "for followers", "private");
  const int64_t direct = api_->Post(2, "@user4 for you", "direct");
  ASSERT_TRUE(api_->graph().Follow(3, 2, {}).ok());
  const std::vector<int64_t> all = {direct, followers, open};
  EXPECT_EQ(IdsIn(Render(1, all)), std::vector<std::string>{std::to_string(open)});
  EXPECT_EQ(IdsIn(Render(0, all)), std::vector<std::string>{std::to_string(open)});
  EXPECT_EQ(IdsIn(Render(3, all)),
            (std::vector<std::string>{std::to_string(followers), std::to_string(open)}));
  EXPECT_EQ(IdsIn(Render(4, all)),
            (std::vector<std::string>{std::to_string(direct), std::to_string(open)}));
  EXPECT_EQ(Render(2, all).size(), 3u);  // the author sees everything
}

TEST_F(StatusPresenterTest, JoinsAReblogWithWhatItWrapsAndFillsTheViewersFlags) {
  const int64_t original = api_->Post(2, "worth sharing");
  auto reblog = api_->engagement().Reblog(3, 0, original, std::nullopt);
  ASSERT_TRUE(reblog.ok());
  ASSERT_TRUE(api_->engagement().SetFavourite(1, original, true).ok());
  const json::array seen = Render(1, {reblog->created.id, original});
  ASSERT_EQ(seen.size(), 2u);
  const json::object& wrapper = seen[0].as_object();
  EXPECT_EQ(wrapper.at("account").at("id").as_string(), "3");
  ASSERT_TRUE(wrapper.at("reblog").is_object());
  EXPECT_EQ(wrapper.at("reblog").at("id").as_string(), std::to_string(original));
  EXPECT_EQ(wrapper.at("reblog").at("reblogs_count").as_int64(), 1);
  EXPECT_EQ(seen[1].at("favourited").as_bool(), true);
  EXPECT_EQ(seen[1].at("favourites_count").as_int64(), 1);
  EXPECT_EQ(seen[1].at("reblogged").as_bool(), false);
  const json::array by_reblogger = Render(3, {original});
  EXPECT_EQ(by_reblogger[0].at("favourited").as_bool(), false);
  EXPECT_EQ(by_reblogger[0].at("reblogged").as_bool(), true);
}

TEST_F(StatusPresenterTest, ABlockHidesTheReblogOfABlockedAuthor) {
  const int64_t original = api_->Post(2, "original");
  auto reblog = api_->engagement().Reblog(3, 0, original, std::nullopt);
  ASSERT_TRUE(reblog.ok());
  ASSERT_TRUE(api_->graph().SetBlock(1, 2, true).ok());
  EXPECT_TRUE(Render(1, {reblog->created.id, original}).empty());
}

TEST_F(StatusPresenterTest, TimelinesLeaveOutMutedAuthorsAndReblogsOfThem) {
  const int64_t muted = api_->Post(2, "muted author");
  const int64_t other = api_->Post(3, "someone else");
  auto reblog = api_->engagement().Reblog(3, 0, muted, std::nullopt);
  ASSERT_TRUE(reblog.ok());
  ASSERT_TRUE(api_->graph().Mute(1, 2, {}).ok());
  const std::vector<int64_t> ids = {reblog->created.id, other, muted};
  EXPECT_EQ(IdsIn(Render(1, ids, /*hide_muted=*/true)),
            std::vector<std::string>{std::to_string(other)});
  EXPECT_EQ(Render(1, ids).size(), 3u);  // single statuses and threads have their own rules
}

TEST_F(StatusPresenterTest, DeleteAndRedraftShowsTheSourceInPlaceOfContent) {
  const int64_t id = api_->Post(1, "#tag and @user2");
  auto status = api_->statuses().Get(id, "http://chirp.test");
  ASSERT_TRUE(status.ok());
  StatusPresenter presenter(api_->read(), 1, "http://chirp.test");
  auto with_source = presenter.Render(*status, /*source_requested=*/true);
  ASSERT_TRUE(with_source.ok());
  const json::value parsed = json::parse(*with_source);
  EXPECT_EQ(parsed.at("text").as_string(), "#tag and @user2");
  auto plain = presenter.Render(*status);
  ASSERT_TRUE(plain.ok());
  EXPECT_NE(json::parse(*plain).at("content").as_string().find("<a href="), std::string::npos);
}

}  // namespace
}  // namespace chirp
