#include "social/posting.h"

#include "social/service_test_support.h"

namespace chirp {
namespace {

class PostingTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    posting_ = std::make_unique<Posting>(*store_, clock_, ids_, *lookups_, *lookups_, *readers_,
                                         *applied_, PostingLimits{.max_characters = 20});
  }
  StatusDraft Draft(int64_t author, std::string text) {
    return {.account_id = author, .text = std::move(text), .base_url = "https://chirp.example"};
  }
  Result<PostedStatus> Post(StatusDraft draft) { return posting_->Post(draft); }

  std::unique_ptr<Posting> posting_;
};

TEST_F(PostingTest, WritesTheStatusAndAppliesItsEvent) {
  auto posted = Post(Draft(1, "hello #World"));
  ASSERT_TRUE(posted.ok()) << posted.error().message;
  ASSERT_TRUE(posted->created.stored.has_value());
  const StatusRecord& s = *posted->created.stored;
  EXPECT_EQ(store_->FindStatus(s.id)->text, "hello #World");
  EXPECT_EQ(s.tags, std::vector<std::string>{"world"});
  EXPECT_EQ(s.created_at_ms, kStart);
  ASSERT_EQ(applied_->kinds(), std::vector<EventKind>{EventKind::kStatusCreated});
  EXPECT_EQ(applied_->events[0].subject_id, s.id);
  EXPECT_EQ(Committed().size(), 1u);
}

TEST_F(PostingTest, RefusesWhatMastodonRefusesAndWritesNothing) {
  StatusDraft lat_alone = Draft(1, "here");
  lat_alone.latitude = 1.0;
  StatusDraft bad_visibility = Draft(1, "hi");
  bad_visibility.visibility = "everyone";
  StatusDraft bad_language = Draft(1, "hi");
  bad_language.language = "EN";
  StatusDraft too_much_media = Draft(1, "hi");
  too_much_media.media_ids = {"1", "2", "3", "4", "5"};
  StatusDraft unknown_media = Draft(1, "hi");
  unknown_media.media_ids = {"x"};
  StatusDraft long_key = Draft(1, "hi");
  long_key.idempotency_key = std::string(201, 'k');
  StatusDraft long_spoiler = Draft(1, "hi");
  long_spoiler.spoiler_text = std::string(30, 's');
  for (const StatusDraft& draft :
       {Draft(1, "   "), Draft(1, std::string(21, 'a')), lat_alone, bad_visibility, bad_language,
        too_much_media, unknown_media, long_key, long_spoiler}) {
    auto posted = Post(draft);
    ASSERT_FALSE(posted.ok());
    EXPECT_EQ(posted.error().code, ErrorCode::kUnprocessable) << posted.error().message;
  }
  EXPECT_TRUE(Committed().empty());
  EXPECT_TRUE(applied_->events.empty());
}

TEST_F(PostingTest, LengthCountsLinksAs23Characters) {
  EXPECT_EQ(Post(Draft(1, "https://example.com/" + std::string(40, 'a'))).error().code,
            ErrorCode::kUnprocessable);  // 23 > 20
  posting_ = std::make_unique<Posting>(*store_, clock_, ids_, *lookups_, *lookups_, *readers_,
                                       *applied_, PostingLimits{.max_characters = 25});
  EXPECT_TRUE(Post(Draft(1, "https://example.com/" + std::string(40, 'a'))).ok());
}

TEST_F(PostingTest, DefaultsComeFromTheAuthor) {
  Account author = store_->FindAccount(1).value();
  author.default_privacy = "unlisted";
  author.default_sensitive = true;
  author.default_language = "de";
  ASSERT_TRUE(store_->UpdateProfile(author).ok());
  auto posted = Post(Draft(1, "hallo"));
  ASSERT_TRUE(posted.ok());
  EXPECT_EQ(posted->created.stored->visibility, Visibility::kUnlisted);
  EXPECT_TRUE(posted->created.stored->sensitive);
  EXPECT_EQ(posted->created.stored->language, "de");
  StatusDraft spoiler = Draft(2, "x");
  spoiler.spoiler_text = "cw";
  EXPECT_TRUE(Post(spoiler)->created.stored->sensitive);  // a spoiler makes it sensitive
}

TEST_F(PostingTest, MentionsResolveLocalAccountsAndThisHostOnly) {
  auto posted = Post(Draft(1, "@user2 @USER3@chirp.example @user4@other.example"));
  ASSERT_TRUE(posted.ok());
  EXPECT_EQ(posted->created.stored->mentioned_account_ids, (std::vector<int64_t>{2, 3}));
  EXPECT_NE(posted->created.stored->content.find("https://chirp.example/@user2"),
            std::string::npos);
}

TEST_F(PostingTest, RepliesOnlyToWhatTheAuthorMaySee) {
  StatusDraft hidden = Draft(2, "for followers");
  hidden.visibility = "private";
  const int64_t parent = Post(hidden)->created.id;
  StatusDraft reply = Draft(1, "reply");
  reply.in_reply_to_id = std::to_string(parent);
  EXPECT_EQ(Post(reply).error().code, ErrorCode::kNotFound);
  reply.in_reply_to_id = "not-an-id";
  EXPECT_EQ(Post(reply).error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(
      store_->CreateFollow({.id = ids_.Next(), .account_id = 1, .target_account_id = 2}).ok());
  readers_->Forget(1);
  reply.in_reply_to_id = std::to_string(parent);
  auto posted = Post(reply);
  ASSERT_TRUE(posted.ok()) << posted.error().message;
  EXPECT_EQ(posted->created.stored->in_reply_to_id, parent);
  EXPECT_EQ(posted->created.stored->in_reply_to_account_id, 2);
  EXPECT_EQ(applied_->events.back().related_id, parent);
}

TEST_F(PostingTest, AnIdempotencyKeyReturnsTheFirstStatusAndAppliesNothingMore) {
  StatusDraft draft = Draft(1, "once");
  draft.idempotency_key = "key";
  auto first = Post(draft);
  auto second = Post(draft);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->created.id, second->created.id);
  EXPECT_TRUE(second->created.existing);
  EXPECT_EQ(applied_->events.size(), 1u);
}

TEST_F(PostingTest, AnIdempotencyKeyLastsAnHourOnTheClock) {
  StatusDraft draft = Draft(1, "once an hour");
  draft.idempotency_key = "key";
  const int64_t first = Post(draft)->created.id;
  clock_.Advance(60 * 60 * 1000 - 1);
  EXPECT_EQ(Post(draft)->created.id, first);
  clock_.Advance(2);
  auto later = Post(draft);
  ASSERT_TRUE(later.ok());
  EXPECT_FALSE(later->created.existing);
  EXPECT_NE(later->created.id, first);
}

TEST_F(PostingTest, DeletesOnlyOnesOwnVisibleStatusWithItsReblogs) {
  const int64_t status = Post(Draft(1, "mine"))->created.id;
  const int64_t reblog = ids_.Next();
  ASSERT_TRUE(
      store_
          ->CreateStatus(
              {.id = reblog, .account_id = 3, .reblog_of_id = status, .created_at_ms = kStart}, "",
              0)
          .ok());
  EXPECT_EQ(posting_->Delete(2, status).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(posting_->Delete(1, ids_.Next()).error().code, ErrorCode::kNotFound);
  applied_->events.clear();
  auto deleted = posting_->Delete(1, status);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->id, status);
  EXPECT_EQ(store_->FindStatus(status).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->FindStatus(reblog).error().code, ErrorCode::kNotFound);
  ASSERT_EQ(applied_->events.size(), 2u);  // the reblog's, then the status's
  EXPECT_EQ(applied_->events[0].subject_id, reblog);
  EXPECT_EQ(applied_->events[0].flags, kEventReblog);
  EXPECT_EQ(applied_->events[1].subject_id, status);
}

}  // namespace
}  // namespace chirp
